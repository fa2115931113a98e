"""JSON text of many records of one shape at once, by NumPy, as bytes.

Each record becomes a fixed-width row of a ``uint8`` matrix, laid out from a
template: constant text, integers in slots as wide as the largest, and texts
picked from a table (skus, or variants like ``"parent"``). Unused room in a
slot holds the byte 0, which valid JSON text never contains (a string
escapes it), and :func:`compact` drops every 0 at the end, so the bytes are
exactly those of a compact JSON writer. Digits are looked up four at a time
(one ``uint32`` per group of four): a handful of vectorised operations per
field instead of one Python object per number, which is what makes millions
of planned orders and pegs cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]
Ints = NDArray[np.signedinteger[Any]]  # 64- or 32-bit
U8 = NDArray[np.uint8]
GROUP = 4  # decimal digits per table entry
_POWER = 10**GROUP
_FULL = b"".join(b"%04d" % n for n in range(_POWER))
_LEAD = b"".join((b"%4d" % n).replace(b" ", b"\0") for n in range(_POWER))
# The least significant group: its own digits without leading zeros ("0" for 0).
_LOW = np.frombuffer(_FULL + _LEAD, dtype=np.uint32)
# A higher group: all four digits, without leading zeros when it leads, nothing when above the number.
_HIGH = np.frombuffer(_FULL + b"\0" * GROUP + _LEAD[GROUP:], dtype=np.uint32)


def width_for(values: I64) -> int:
    """The room ``values`` need as JSON numbers: the most digits, and one for a minus sign."""
    if values.size == 0:
        return 1
    low, high = int(values.min()), int(values.max())
    return len(str(max(high, -low))) + (low < 0)


@dataclass
class Template:
    """A row layout: constant bytes with 0 where slots go; slot offsets and widths by name."""

    row: bytearray = field(default_factory=bytearray)
    slots: dict[str, tuple[int, int]] = field(default_factory=dict)

    def text(self, constant: bytes) -> Template:
        """Constant text (JSON punctuation and keys)."""
        self.row += constant
        return self

    def slot(self, name: str, width: int) -> Template:
        """Room for a number of ``width`` digits (a sign included) or a table entry that wide."""
        self.slots[name] = (len(self.row), width)
        self.row += b"\0" * width
        return self


def table(entries: list[bytes]) -> U8:
    """Texts as the rows of a matrix, padded with 0 to the longest."""
    width = max((len(e) for e in entries), default=0)
    return np.frombuffer(b"".join(e.ljust(width, b"\0") for e in entries),
                         dtype=np.uint8).reshape(len(entries), width)


def fill(template: Template, count: int, width: int | None = None) -> U8:
    """``count`` rows of the template (``width`` ≥ the template's, for rows shared with others)."""
    pattern = np.zeros((1, width or len(template.row)), dtype=np.uint8)
    pattern[0, : len(template.row)] = np.frombuffer(bytes(template.row), dtype=np.uint8)
    rows = np.empty((count, pattern.shape[1]), dtype=np.uint8)
    records(rows)[:] = records(pattern)[0]
    return rows


def records(matrix: U8) -> NDArray[np.void]:
    """The rows of a byte matrix (each row contiguous) as one opaque item each.

    Copying, gathering or scattering rows this way moves each row in one
    piece; as a 2-D ``uint8`` array NumPy goes byte by byte, several times slower.
    """
    return matrix.view(np.dtype((np.void, matrix.shape[1])))[:, 0]


def put_number(rows: U8, template: Template, name: str, values: Ints) -> None:
    """Write ``values`` (one per row) into the slot ``name``, made :func:`width_for` them."""
    at, width = template.slots[name]
    groups = -(-width // GROUP)
    words = np.empty((values.size, groups), dtype=np.uint32)
    negative = np.flatnonzero(values < 0)
    magnitude = np.abs(values) if negative.size else values
    if groups == 1:  # below 10**GROUP: the index needs no arithmetic but an offset
        words[:, 0] = _LOW[magnitude + _POWER]
    else:
        words[:, -1] = _LOW[magnitude % _POWER + _POWER * (magnitude < _POWER)]
    for k in range(1, groups):
        scaled = magnitude // _POWER**k
        words[:, -1 - k] = _HIGH[scaled % _POWER + _POWER * (scaled < _POWER)]
    text = words.view(np.uint8)[:, GROUP * groups - width :]
    records(rows[:, at : at + width])[:] = records(text)
    if negative.size:  # the sign goes just before the first digit
        first = np.argmax(text[negative] != 0, axis=1)
        rows[negative, at + first - 1] = ord("-")


def put_choice(rows: U8, template: Template, name: str, entries: U8, index: Ints) -> None:
    """Write entry ``index`` (one per row) of a :func:`table` into the slot ``name``."""
    at, width = template.slots[name]
    records(rows[:, at : at + width])[:] = records(entries)[index]


def compact(rows: U8) -> bytes:
    """The rows' text, one after the other, without the 0 bytes."""
    flat = rows.reshape(-1)
    return flat[flat != 0].tobytes()
