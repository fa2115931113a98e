"""Counting serial-tracked items by scanning their serial numbers.

A line of a serial-tracked item is counted by the serials found there: its counted
quantity is their number, and the entry stores them (``counted_serials``) with the
serials the book has at the location at that moment (``book_serials``; ``book_qty`` is
their number, read in the same statement so the two never disagree). The difference is
then per serial: *missing* (on the book there, not scanned) and *found* (scanned, not on
the book there). A serial may be scanned on one line of a count only: the same unit in
two places is a scanning mistake, not a variance.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.inventory.count_models import SERIAL_LENGTH, CycleCountLine
from core.inventory.models import SerialNumber

#: At most this many serials in one line's entry.
MAX_SERIALS = 5000


@dataclass(frozen=True)
class SerialCount:
    """A cleaned entry: the counted quantity, and the serials when the item is serial-tracked."""

    counted: Decimal
    serials: tuple[str, ...] | None


@dataclass(frozen=True)
class SerialDifference:
    """How a counted serial line differs from the book, sorted."""

    missing: tuple[str, ...]
    found: tuple[str, ...]


def clean_serials(values: Any, field: str) -> tuple[str, ...]:
    """Serial numbers as scanned: a list of trimmed, non-empty, distinct texts (422 naming ``field``)."""
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidInput("serials must be a list of serial numbers", field)
    if len(values) > MAX_SERIALS:
        raise InvalidInput(f"at most {MAX_SERIALS} serials in one line", field)
    cleaned: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("a serial number must be non-empty text", field)
        serial = value.strip()
        if len(serial) > SERIAL_LENGTH:
            raise InvalidInput(f"serial {serial[:20]}… is longer than {SERIAL_LENGTH} characters", field)
        if serial in cleaned:
            raise InvalidInput(f"serial {serial} is scanned twice", field)
        cleaned.append(serial)
    return tuple(cleaned)


def settle_count(counted: Decimal | None, raw_serials: Any, serial_tracked: bool, sku: str,
                 where: str) -> SerialCount:
    """What an entry counts, by the item's tracking; 422 naming ``<where>.counted`` or ``.serials``.

    A serial-tracked line takes its quantity from ``serials`` (``counted``, when given too,
    must agree); ``counted`` 0 alone means none found. Other lines take no serials.
    """
    if not serial_tracked:
        if raw_serials is not None:
            raise InvalidInput(f"{sku} is not serial-tracked: give counted, not serials", f"{where}.serials")
        assert counted is not None  # the caller requires counted or serials
        return SerialCount(counted, None)
    if counted is not None and counted != counted.to_integral_value():
        raise InvalidInput(f"{sku} is serial-tracked: count whole units", f"{where}.counted")
    if raw_serials is None:
        if counted:
            raise InvalidInput(f"{sku} is serial-tracked: scan the serial numbers found", f"{where}.serials")
        return SerialCount(Decimal(0), ())
    serials = clean_serials(raw_serials, f"{where}.serials")
    if counted is not None and counted != len(serials):
        raise InvalidInput(f"counted is {counted.normalize():f} but {len(serials)} serial(s) were scanned",
                           f"{where}.counted")
    return SerialCount(Decimal(len(serials)), serials)


def refuse_scanned_twice(line: CycleCountLine, serials: tuple[str, ...], lines: Iterable[CycleCountLine],
                         where: str) -> None:
    """422 when one of ``serials`` is already counted on another line of the count."""
    wanted = set(serials)
    for other in lines:
        if other.id == line.id or other.item_id != line.item_id or not other.counted_serials:
            continue
        twice = sorted(wanted.intersection(other.counted_serials))
        if twice:
            raise InvalidInput(f"serial {twice[0]} is already counted on line {other.line_no}: "
                               f"one unit is in one place only", f"{where}.serials")


def book_serials(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID,
                 location_id: uuid.UUID) -> list[str]:
    """The serials of ``item_id`` the book has at ``location_id`` now, sorted."""
    return list(session.scalars(
        select(SerialNumber.serial).where(SerialNumber.tenant_id == tenant_id, SerialNumber.item_id == item_id,
                                          SerialNumber.location_id == location_id)
        .order_by(SerialNumber.serial)))


def difference(line: CycleCountLine) -> SerialDifference | None:
    """Missing and found serials of a counted serial line; None for other lines."""
    if line.counted_serials is None:
        return None
    counted, book = set(line.counted_serials), set(line.book_serials or ())
    return SerialDifference(tuple(sorted(book - counted)), tuple(sorted(counted - book)))
