"""Fast JSON for big plans, byte for byte what ``orjson.dumps(render_plan(...))`` gives.

Building millions of small dicts (one per peg) costs far more than the
planning itself, so when every quantity is whole, numbers are formatted by
orjson from NumPy arrays in bulk, cut apart with ``str.split`` and joined
with the constant parts of the format, a few megabytes at a time (one huge
join of tiny pieces is slow and needs gigabytes). Otherwise (decimal
quantities) the plan goes through :func:`core.planning.plan_output.render_plan`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray

from core.planning.plan_output import ARRAYS, render_exceptions, render_plan
from core.planning.planner import Plan

I64 = NDArray[np.int64]
Objects = NDArray[np.object_]
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
# Characters that orjson escapes in a string (it writes other text as is).
_ESCAPED = re.compile(r'["\\\x00-\x1f]')
ITEM_CHUNK = 20_000  # items per written piece
ORDER_CHUNK = 50_000  # planned orders per written piece


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
    yield from _orders(plan, unit, keys)
    yield b'],"exceptions":'
    yield orjson.dumps(render_exceptions(plan))
    yield b"}\n"


def _whole(values: I64, unit: int) -> I64:
    return values // unit if unit > 1 else values


def _text(values: I64) -> str:
    """A NumPy array as JSON text, by orjson (far faster than Python's own formatting)."""
    return orjson.dumps(np.ascontiguousarray(values), option=_NUMPY).decode()


def _numbers(values: I64) -> list[str]:
    """Each integer as JSON text."""
    return _text(values)[1:-1].split(",") if values.size else []


def _rows(matrix: I64) -> list[str]:
    """Each row of a matrix as JSON text without its brackets."""
    return _text(matrix)[2:-2].split("],[") if matrix.shape[0] else []


def _objects(values: list[str]) -> Objects:
    """A list of strings as an object array (never NumPy's own string type)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _join(pieces: Objects) -> bytes:
    # str.join copies small pieces much faster than bytes.join; the text is ASCII
    # or already-escaped UTF-8, so one encode at the end is cheap.
    return "".join(pieces.tolist()).encode()


def _interleave(columns: list[list[str] | Objects | str], count: int) -> Objects:
    """Pieces of ``count`` records, record by record: a flat object array to join."""
    width = len(columns)
    pieces = np.empty(count * width, dtype=object)
    for k, column in enumerate(columns):
        pieces[k::width] = _objects(column) if isinstance(column, list) else column
    return pieces


def _sku_keys(plan: Plan) -> list[str]:
    """Each sku as a JSON string: quoted as is when orjson would escape nothing in it."""
    skus = plan.bundle.skus
    joined = "".join(skus)
    if joined.isascii() and not _ESCAPED.search(joined):
        return ['"' + sku + '"' for sku in skus]
    return [orjson.dumps(sku).decode() for sku in skus]


def _items(plan: Plan, unit: int, keys: list[str]) -> Iterator[bytes]:
    by_rank = np.argsort(plan.rank)
    position = np.empty(by_rank.size, dtype=np.int64)
    position[by_rank] = np.arange(by_rank.size)
    atp_text = _objects([',"available_to_promise":[' + row + "]}"
                         for row in _rows(_whole(plan.atp, unit))])
    atp_at = position[plan.atp_rows]
    for lo in range(0, by_rank.size, ITEM_CHUNK):
        rows = by_rank[lo : lo + ITEM_CHUNK]
        tails = np.full(rows.size, "}", dtype=object)
        here = (atp_at >= lo) & (atp_at < lo + rows.size)
        tails[atp_at[here] - lo] = atp_text[here]
        yield _join(_item_pieces(plan, unit, keys, rows, lo == 0, tails))


def _item_pieces(plan: Plan, unit: int, keys: list[str], rows: I64, first: bool,
                 tails: Objects) -> Objects:
    bundle, rec = plan.bundle, plan.records
    codes = bundle.low_level_code[rows].tolist()
    heads = [("" if first and k == 0 else ",") + keys[row] + ':{"low_level_code":' + str(code)
             for k, (row, code) in enumerate(zip(rows.tolist(), codes, strict=True))]
    columns: list[list[str] | Objects | str] = [heads]
    matrices = (rec.gross, bundle.scheduled_receipts, rec.on_hand, rec.net, rec.receipts,
                rec.releases)
    for name, matrix in zip(ARRAYS, matrices, strict=True):
        columns += [',"' + name + '":[', _rows(_whole(matrix[rows], unit)), "]"]
    columns.append(tails)
    return _interleave(columns, rows.size)


def _orders(plan: Plan, unit: int, keys: list[str]) -> Iterator[bytes]:
    order_head = _objects(['{"sku":' + key + ',"quantity":' for key in keys])
    peg_head = _objects(['{"sku":' + key + ',"period":' for key in keys])
    count = plan.orders.item.size
    for lo in range(0, count, ORDER_CHUNK):
        hi = min(lo + ORDER_CHUNK, count)
        pieces = _order_pieces(plan, unit, lo, hi, order_head, peg_head)
        if hi < count:
            pieces[-1] = "]},"
        yield _join(pieces)


def _order_pieces(plan: Plan, unit: int, lo: int, hi: int, order_head: Objects,
                  peg_head: Objects) -> Objects:
    """Orders lo..hi: head (5 pieces), pegs (3 pieces each), then "]}," ("]}" last)."""
    orders, starts = plan.orders, plan.pegging.starts
    count = hi - lo
    timing = _text(np.stack([orders.release[lo:hi] + 1, orders.receipt[lo:hi] + 1], axis=1))
    timing = timing[2:-2].replace("],[", "\n").replace(",", ',"receipt_period":')
    heads = _interleave([order_head[orders.item[lo:hi]],
                         _numbers(_whole(orders.quantity[lo:hi], unit)),
                         ',"release_period":', timing.split("\n"), ',"pegging":['], count)
    bounds = starts[lo : hi + 1]
    peg_text = _pegs(plan, unit, peg_head, bounds)
    per_order = 3 * np.diff(bounds)
    head_width = 5
    before = np.cumsum(per_order) - per_order
    order_start = np.arange(count) * (head_width + 1) + before
    pieces = np.empty(heads.size + peg_text.size + count, dtype=object)
    pieces[(order_start[:, None] + np.arange(head_width)[None, :]).ravel()] = heads
    first_peg = order_start + head_width - before
    pieces[np.repeat(first_peg, per_order) + np.arange(peg_text.size)] = peg_text
    closers = np.full(count, "]},", dtype=object)
    closers[-1] = "]}"
    pieces[order_start + head_width + per_order] = closers
    return pieces


def _pegs(plan: Plan, unit: int, head: Objects, bounds: I64) -> Objects:
    """Pegs of the orders whose pegs start at ``bounds``: three pieces each."""
    pegs = plan.pegging
    lo, hi = int(bounds[0]), int(bounds[-1])
    if hi == lo:
        return np.empty(0, dtype=object)
    numbers = _text(np.stack([pegs.period[lo:hi] + 1, _whole(pegs.quantity[lo:hi], unit)],
                             axis=1))
    numbers = numbers[2:-2].replace("],[", "\n").replace(",", ',"quantity":')
    last = np.zeros(hi - lo, dtype=bool)
    last[bounds[1:][np.diff(bounds) > 0] - 1 - lo] = True
    tails = _objects([',"source":"demand"},', ',"source":"parent"},',
                      ',"source":"demand"}', ',"source":"parent"}'])
    tail = tails[pegs.from_parent[lo:hi].astype(np.int64) + 2 * last]
    return _interleave([head[pegs.sku_row[lo:hi]], numbers.split("\n"), tail], hi - lo)
