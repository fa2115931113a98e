"""Fast JSON for big plans, byte for byte what ``orjson.dumps(render_plan(...))`` gives.

Building millions of small dicts (one per peg) costs far more than the
planning itself, so when every quantity is whole the text is made in bulk:
the items' arrays by orjson straight from NumPy (one call for a few thousand
items, cut into rows and joined with the keys between them), the planned
orders and pegs by :mod:`core.planning.plan_json_orders`, a few megabytes at
a time. Otherwise (decimal quantities) the plan goes through
:func:`core.planning.plan_output.render_plan`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from core.planning.json_rows import table
from core.planning.plan_json_orders import order_rows
from core.planning.plan_output import ARRAYS, render_exceptions, render_plan
from core.planning.planner import Plan

I64 = NDArray[np.int64]
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
# Characters that orjson escapes in a string (it writes other text as is).
_ESCAPED = re.compile(r'["\\\x00-\x1f]')
ITEM_CHUNK = 5_000  # items per written piece
ORDER_CHUNK = 5_000  # planned orders per written piece (its rows stay in cache)
# What comes before each of an item's arrays (the first after its head's opening quote).
_LINKS = [ARRAYS[0].encode() + b'":['] + [b'],"' + name.encode() + b'":[' for name in ARRAYS[1:]]


def dumps_plan(output: dict[str, Any]) -> bytes:
    """An output dict as JSON bytes (NumPy rows and Decimals included), newline-ended."""
    return orjson.dumps(output, default=_exact, option=_NUMPY | orjson.OPT_APPEND_NEWLINE)


def _exact(value: Any) -> Any:
    # A Decimal that no float prints exactly goes out as its own digits.
    return orjson.Fragment(format(value, "f"))


def plan_json(plan: Plan) -> bytes:
    """The plan's output JSON (newline-ended), fast when every quantity is whole."""
    return b"".join(plan_json_chunks(plan))


def plan_json_chunks(plan: Plan) -> Iterator[bytes]:
    """:func:`plan_json` in pieces of a few megabytes, to write as they come."""
    unit = 10**plan.bundle.scale
    rec, pegs = plan.records, plan.pegging
    quantities = (rec.gross, plan.bundle.scheduled_receipts, rec.on_hand, rec.net, rec.receipts,
                  rec.releases, plan.atp, plan.orders.quantity, pegs.quantity)
    # At scale 0 every quantity is whole: no need to look (it costs a pass over each).
    if unit > 1 and any(np.any(q % unit) for q in quantities):
        yield dumps_plan(render_plan(plan))
        return
    keys = _sku_keys(plan)
    yield b'{"periods":%d,"items":{' % plan.bundle.periods
    yield from _items(plan, unit, keys)
    yield b'},"planned_orders":['
    yield from order_rows(plan, unit, table(keys), ORDER_CHUNK)
    yield b'],"exceptions":'
    yield orjson.dumps(render_exceptions(plan))
    yield b"}\n"


def _whole(values: I64, unit: int) -> I64:
    return values // unit if unit > 1 else values


def _sku_keys(plan: Plan) -> list[bytes]:
    """Each sku as a JSON string: quoted as is when orjson would escape nothing in it."""
    skus = plan.bundle.skus
    joined = "".join(skus)
    if joined.isascii() and not _ESCAPED.search(joined):
        return [b'"' + sku.encode() + b'"' for sku in skus]
    return [orjson.dumps(sku) for sku in skus]


def _items(plan: Plan, unit: int, keys: list[bytes]) -> Iterator[bytes]:
    by_rank = np.argsort(plan.rank)
    tails = [b"]}"] * by_rank.size
    position = np.empty(by_rank.size, dtype=np.int64)
    position[by_rank] = np.arange(by_rank.size)
    for at, row in zip(position[plan.atp_rows].tolist(), _row_texts(_whole(plan.atp, unit)),
                       strict=True):
        tails[at] = b'],"available_to_promise":[' + row + b"]}"
    for lo in range(0, by_rank.size, ITEM_CHUNK):
        rows = by_rank[lo : lo + ITEM_CHUNK]
        yield b"".join(_item_pieces(plan, unit, keys, rows, lo == 0, tails[lo : lo + rows.size]))


def _row_texts(matrix: I64) -> list[bytes]:
    """Each row of a matrix (of at least one column) as JSON numbers without brackets."""
    if matrix.shape[0] == 0:
        return []
    text = orjson.dumps(np.ascontiguousarray(matrix), option=_NUMPY)
    return text[2:-2].split(b"],[")


def _item_pieces(plan: Plan, unit: int, keys: list[bytes], rows: I64, first: bool,
                 tails: list[bytes]) -> list[bytes]:
    """Per item: its head, then each array's numbers and what follows them."""
    bundle, rec = plan.bundle, plan.records
    matrices = (rec.gross, bundle.scheduled_receipts, rec.on_hand, rec.net, rec.receipts,
                rec.releases)
    # One orjson call for all six arrays of every item: rows come out item by item.
    stacked = np.stack([_whole(m[rows], unit) for m in matrices], axis=1)
    numbers = _row_texts(stacked.reshape(-1, bundle.periods))
    heads = [b'%s%s:{"low_level_code":%d,"' % (b"" if first and k == 0 else b",", keys[row], code)
             + _LINKS[0]
             for k, (row, code) in enumerate(zip(rows.tolist(),
                                                 bundle.low_level_code[rows].tolist(),
                                                 strict=True))]
    width = 2 * len(ARRAYS) + 1
    pieces = np.empty((rows.size, width), dtype=object)
    pieces[:, 0] = heads
    pieces[:, 1:width:2] = np.array(numbers, dtype=object).reshape(rows.size, len(ARRAYS))
    pieces[:, 2 : width - 1 : 2] = _LINKS[1:]
    pieces[:, width - 1] = tails
    return pieces.ravel().tolist()
