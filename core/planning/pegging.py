"""Pegging: which requirements each planned order serves.

Supply is matched to requirements first in, first out, item by item: the
requirements in period order (the item's own demand, then its parents'
planned order releases in output order of the parents), the supply in
period order (on hand first; in a period scheduled receipts, then firm
planned receipts, then planned orders). Safety stock, and stock already
short at the start (allocated above on hand), are reserved before any
demand, so a planned order that restores safety stock is pegged to nothing
for that part, and lot-size surplus is pegged to nothing. Because the plan
keeps every balance at or above safety stock, each requirement is met by
supply arriving in its period or earlier.

Vectorised: both streams are laid on one axis of cumulative quantity (each
item gets a stretch as long as the larger of its two totals), merged with
one stable sort of two sorted runs, and cut into the overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.mrp import Records, explosion
from core.planning.orders import PlannedOrders

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]
RESERVE, OWN, PARENT = 0, 1, 2  # kinds of requirement
STOCK, SCHEDULED, FIRM, PLANNED = 0, 1, 2, 3  # kinds of supply
EDGE_CHUNK = 20_000  # edges exploded at a time, to bound memory


@dataclass(frozen=True)
class Pegging:
    """The pegs of all planned orders: order k's are ``[starts[k], starts[k+1])``.

    A peg serves the item's own demand (``from_parent`` False; ``sku_row`` is the
    item) or a parent's planned order release (``sku_row`` is the parent and
    ``period`` the release period, which is also the period of the requirement).
    """

    from_parent: Bools
    sku_row: I64
    period: I64
    quantity: I64
    starts: I64


@dataclass(frozen=True)
class _Stream:
    rank: I64
    period: I64
    kind: I64
    ref: I64  # requirement: the row it comes from; supply: the planned order index
    quantity: I64

    def take(self, order: I64) -> _Stream:
        return _Stream(self.rank[order], self.period[order], self.kind[order], self.ref[order],
                       self.quantity[order])


def peg(bundle: Bundle, records: Records, orders: PlannedOrders, rank: I64) -> Pegging:
    """Peg every planned order to the requirements it serves."""
    by_rank = np.argsort(rank)
    need = _requirements(bundle, records, rank, by_rank)
    have = _supplies(bundle, orders, rank, by_rank)
    need_end, have_end = _positions(need, have, len(bundle.skus))
    merged = np.concatenate([need_end, have_end])
    order = np.argsort(merged, kind="stable")  # two sorted runs: a linear merge
    ends = merged[order]
    starts = np.concatenate([[0], ends[:-1]])
    is_need = order < need_end.size
    need_at: I64 = np.cumsum(is_need) - is_need
    have_at: I64 = np.cumsum(~is_need) - ~is_need
    keep = (ends > starts) & (need_at < need_end.size) & (have_at < have_end.size)
    need_at, have_at, starts, ends = need_at[keep], have_at[keep], starts[keep], ends[keep]
    inside = (need_end[need_at] - need.quantity[need_at] <= starts)
    inside &= have_end[have_at] - have.quantity[have_at] <= starts
    inside &= (have.kind[have_at] == PLANNED) & (need.kind[need_at] != RESERVE)
    need_at, have_at = need_at[inside], have_at[inside]
    order_of_peg = have.ref[have_at]
    return Pegging(
        from_parent=need.kind[need_at] == PARENT,
        sku_row=need.ref[need_at],
        period=need.period[need_at],
        quantity=(ends - starts)[inside],
        starts=np.searchsorted(order_of_peg, np.arange(orders.item.size + 1)),
    )


def _positions(need: _Stream, have: _Stream, count: int) -> tuple[I64, I64]:
    """Cumulative end of each piece, each item's stretch starting where the last ended."""
    need_total, have_total = _totals(need, count), _totals(have, count)
    stretch = np.maximum(need_total, have_total)
    if float(stretch.sum()) >= 2.0**62:
        raise OverflowError("total quantity too large to peg")
    before = np.concatenate([[0], np.cumsum(stretch)[:-1]])
    ends = []
    for stream, total in ((need, need_total), (have, have_total)):
        own_before = np.concatenate([[0], np.cumsum(total)[:-1]])
        ends.append(np.cumsum(stream.quantity) + (before - own_before)[stream.rank])
    return ends[0], ends[1]


def _totals(stream: _Stream, count: int) -> I64:
    bounds = np.searchsorted(stream.rank, np.arange(count + 1))
    cum = np.concatenate([[0], np.cumsum(stream.quantity)])
    return cum[bounds[1:]] - cum[bounds[:-1]]


def _sorted(stream: _Stream, sub: I64, kinds: int, subs: int, periods: int) -> _Stream:
    """Order by (item rank, period, kind, sub); the runs given are each already sorted."""
    cells = (int(stream.rank.max(initial=0)) + 1) * (periods + 1) * kinds * (subs + 1)
    if cells < 2**62:
        key = ((stream.rank * (periods + 1) + stream.period + 1) * kinds + stream.kind)
        order = np.argsort(key * (subs + 1) + sub, kind="stable")
    else:
        order = np.lexsort((sub, stream.kind, stream.period, stream.rank))
    return stream.take(order)


def _cat(parts: list[_Stream]) -> _Stream:
    return _Stream(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("rank", "period", "kind", "ref", "quantity")))


def _cells(matrix: I64, by_rank: I64, kind: int, rank: I64) -> _Stream:
    """Nonzero cells of an (items, periods) matrix, in output order of items."""
    rows, cols = np.nonzero(matrix[by_rank])
    items = by_rank[rows]
    return _Stream(rank[items], cols, np.full(rows.size, kind), items, matrix[items, cols])


def _requirements(bundle: Bundle, records: Records, rank: I64, by_rank: I64) -> _Stream:
    start = bundle.on_hand - bundle.allocated
    reserve = bundle.safety_stock + np.maximum(-start, 0)
    rows = by_rank[reserve[by_rank] > 0]
    opening = _Stream(rank[rows], np.full(rows.size, -1), np.full(rows.size, RESERVE), rows,
                      reserve[rows])
    parents = _parent_requirements(bundle, records, rank)
    stream = _cat([opening, _cells(records.independent, by_rank, OWN, rank), parents])
    sub = np.where(stream.kind == PARENT, rank[stream.ref], 0)
    return _sorted(stream, sub, 3, len(bundle.skus), bundle.periods)


def _parent_requirements(bundle: Bundle, records: Records, rank: I64) -> _Stream:
    """Each parent's exploded releases, ordered by (component, period, parent)."""
    bom, periods = bundle.bom, bundle.periods
    edges = np.lexsort((rank[bom.parent], rank[bom.component]))
    kids = bom.component[edges]
    first = np.flatnonzero(np.r_[True, kids[1:] != kids[:-1]])
    size = np.diff(np.r_[first, kids.size])
    block_start, block_size = np.repeat(first, size), np.repeat(size, size)
    parts, targets = [], []
    for lo in range(0, edges.size, EDGE_CHUNK):
        chunk = edges[lo : lo + EDGE_CHUNK]
        amount = explosion(bundle, records.releases, chunk)
        e, t = np.nonzero(amount)
        e_all = e + lo
        # Within a component's block of edges, read period by period (a transpose).
        bs = block_start[e_all]
        targets.append(bs * periods + t * block_size[e_all] + (e_all - bs))
        parts.append(_Stream(rank[kids[e_all]], t, np.full(e.size, PARENT),
                             bom.parent[edges[e_all]], amount[e, t]))
    stream = _cat(parts) if parts else _Stream(*(np.zeros(0, dtype=np.int64),) * 5)
    target = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    mask = np.zeros(edges.size * periods, dtype=np.bool_)
    mask[target] = True
    position = np.cumsum(mask)[target] - 1
    placed = np.empty_like(position)
    placed[position] = np.arange(position.size)
    return stream.take(placed)


def _supplies(bundle: Bundle, orders: PlannedOrders, rank: I64, by_rank: I64) -> _Stream:
    start = bundle.on_hand - bundle.allocated
    rows = by_rank[start[by_rank] > 0]
    stock = _Stream(rank[rows], np.full(rows.size, -1), np.full(rows.size, STOCK),
                    np.full(rows.size, -1), start[rows])
    planned = _Stream(rank[orders.item], orders.receipt, np.full(orders.item.size, PLANNED),
                      np.arange(orders.item.size), orders.quantity)
    stream = _cat([stock, _cells(bundle.scheduled_receipts, by_rank, SCHEDULED, rank),
                   _cells(bundle.firm_planned_receipts, by_rank, FIRM, rank), planned])
    sub = np.where(stream.kind == PLANNED, stream.ref, 0)
    return _sorted(stream, sub, 4, orders.item.size, bundle.periods)
