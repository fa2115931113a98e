"""Pegging: which requirements each planned order serves.

Supply is matched to requirements first in, first out, item by item. An
item's requirements, in order: the reserve (safety stock, and any stock
already short because allocated exceeds on hand), then period by period its
own demand followed by its parents' exploded releases (parents in output
order). Its supply, in order: on hand, then period by period scheduled
receipts, firm planned receipts and planned orders. The reserve is pegged to
nothing, so the part of a planned order that restores safety stock has no
peg, nor has lot-size surplus. Because the plan keeps every balance at or
above safety stock, each requirement is met by supply arriving in its period
or earlier.

Vectorised: both sequences are laid on one axis of cumulative quantity, each
item getting a stretch as long as the larger of its two totals (the shorter
side is padded), so that a requirement's overlap with supply is found by
merging the two sorted lists of positions. Only the nonzero requirements are
built (an item's own demand, and each BOM edge's share of its parent's
nonzero releases), laid out so that the sources of an item and period are
already in order, then put in pegging order by one stable sort on (item,
period).

Items are pegged a chunk at a time, on a pool of threads: requirements never
cross items, so chunks are independent, and NumPy releases the GIL in the
array work that is nearly all of a chunk. Each chunk writes its pegs straight
into the output, after those of the chunks before it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.lot_sizing import Modifiers
from core.planning.mrp import Records, usage
from core.planning.orders import PlannedOrders

PEG_CHUNK = 4096  # items pegged at a time: temporaries of a few megabytes per thread
PEG_THREADS = min(4, os.cpu_count() or 1)  # chunks pegged at once

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Pegging:
    """The pegs of all planned orders: order k's are ``[starts[k], starts[k+1])``.

    A peg serves the item's own demand (``from_parent`` False; ``sku_row`` is the
    item) or a parent's planned order release (``sku_row`` is the parent and
    ``period`` the release period, which is also the period of the requirement).
    Periods are 0-based.
    """

    from_parent: Bools
    sku_row: I64
    period: I64
    quantity: I64
    starts: I64


@dataclass(frozen=True)
class _Requirements:
    """Nonzero requirements, the reserve left out, in pegging order.

    ``block`` is the item's output position; a requirement of the item's own demand
    has its ``sku_row``, one from a parent's release the parent's; periods are 0-based.
    """

    block: I64
    from_parent: Bools
    sku_row: I64
    period: I64
    amount: I64


@dataclass(frozen=True)
class _Sources:
    """What the requirements of any range of items are made of, computed once.

    An item's sources: its own demand (0), then its BOM edges by parent output
    rank (1, 2, ...). The edges (``kid``, ``parent``, ``factor``) are sorted that
    way, by component block. The own demand's nonzero cells are listed by block
    and period; the parents' nonzero releases row by row, row r's ending at
    ``rel_end[r]``.
    """

    by_rank: I64
    own_block: I64
    own_period: I64
    own_amount: I64
    kid: I64
    parent: I64
    factor: I64
    places: int
    periods: int
    rel_period: I64
    rel_amount: I64
    rel_count: I64
    rel_end: I64


def peg(bundle: Bundle, records: Records, orders: PlannedOrders, rank: I64) -> Pegging:
    """Peg every planned order to the requirements it serves."""
    by_rank = np.argsort(rank)
    start = (bundle.on_hand - bundle.allocated)[by_rank]
    reserve = bundle.safety_stock[by_rank] + np.maximum(-start, 0)
    need_total = reserve + records.gross.sum(axis=1)[by_rank]
    sources = (bundle.scheduled_receipts, bundle.firm_planned_receipts, records.planned)
    stock = np.maximum(start, 0)
    supply_total = stock + sum(m.sum(axis=1) for m in sources)[by_rank]
    stretch = np.maximum(need_total, supply_total)
    if float(stretch.sum()) >= 2.0**62:
        raise OverflowError("total quantity too large to peg")
    # The supply and the requirements' sources are independent: built side by side (NumPy
    # releases the GIL) when there is a second core.
    with ThreadPoolExecutor(1) as pool:
        sourcing = pool.submit(_sources, bundle, records, rank, by_rank)
        first_order = _first_orders(orders)
        supply = _supply(bundle, orders, first_order, rank, stock, stretch - supply_total)
        axis = _supply_axis(supply, first_order, _piece_size(bundle)[by_rank])
        made_of = sourcing.result()
    item_start = np.cumsum(stretch) - stretch + reserve  # where each item's requirements start
    # No more pegs than requirements plus supply pieces (each planned order one piece):
    # two partitions of an item's stretch have fewer common refinements than that.
    bound = (int(np.count_nonzero(records.independent))
             + int(made_of.rel_count[made_of.parent].sum()) + supply.cell.size + orders.item.size)
    return _peg_chunks(made_of, axis, item_start, orders.item.size, bound)


@dataclass(frozen=True)
class _Out:
    """The pegging being written: each field allocated at the bound of the number of pegs,
    and per planned order k, its number of pegs at ``counts[k + 1]``."""

    from_parent: Bools
    sku_row: I64
    period: I64
    quantity: I64
    counts: I64


class _Places:
    """Where each chunk's pegs go: after the pegs of the chunks before it.

    A chunk learns its place once the chunk before it has counted its pegs; chunks are
    started in order, so the one waited for is running or done. A chunk that fails
    passes its error down the chain instead of a place, so none waits for ever.
    """

    def __init__(self, chunks: int, bound: int) -> None:
        self.ends: list[Future[int]] = [Future() for _ in range(chunks + 1)]
        self.ends[0].set_result(0)
        self.bound = bound

    def claim(self, chunk: int, size: int) -> int:
        start = self.ends[chunk].result()
        if start + size > self.bound:
            raise AssertionError("more pegs than the bound")
        self.ends[chunk + 1].set_result(start + size)
        return start

    def fail(self, chunk: int, error: BaseException) -> None:
        if not self.ends[chunk + 1].done():
            self.ends[chunk + 1].set_exception(error)


def _peg_chunks(made_of: _Sources, axis: _SupplyAxis, item_start: I64,
                orders: int, bound: int) -> Pegging:
    """Peg the items a chunk at a time, each chunk writing its pegs in place."""
    items = made_of.by_rank.size
    firsts = range(0, items, PEG_CHUNK)
    places = _Places(len(firsts), bound)
    # Each field is allocated at the bound but only written up to the pegs made: the kernel
    # never maps pages that are not written, and no per-chunk parts pile up to be joined.
    out = _Out(np.empty(bound, dtype=np.bool_), np.empty(bound, dtype=np.int64),
               np.empty(bound, dtype=np.int64), np.empty(bound, dtype=np.int64),
               np.zeros(orders + 1, dtype=np.int64))

    def peg_items(chunk: int) -> None:
        try:
            _peg_items(made_of, axis, item_start, firsts[chunk],
                       min(firsts[chunk] + PEG_CHUNK, items), out, places.claim, chunk)
        except BaseException as error:
            places.fail(chunk, error)
            raise

    # Items a chunk at a time (requirements never cross items): every temporary stays a
    # few megabytes and is reused, instead of fresh memory from the kernel for each one.
    # Chunks are independent and nearly all their time is NumPy array work, which releases
    # the GIL: threads peg them on all cores.
    with ThreadPoolExecutor(PEG_THREADS) as pool:
        for _ in pool.map(peg_items, range(len(firsts))):
            pass
    size = places.ends[-1].result()
    return Pegging(from_parent=out.from_parent[:size], sku_row=out.sku_row[:size],
                   period=out.period[:size], quantity=out.quantity[:size],
                   starts=np.cumsum(out.counts))


def _peg_items(made_of: _Sources, axis: _SupplyAxis, item_start: I64, first: int, end: int,
               out: _Out, claim: Callable[[int, int], int], chunk: int) -> None:
    """Peg items ``first`` to ``end`` (output positions), writing where ``claim`` says."""
    need = _requirements(made_of, first, end)
    need_lo = _starts_on_axis(need, item_start, first, end)
    which, lo, hi, order = _overlaps(need_lo, need_lo + need.amount, axis)
    start = claim(chunk, which.size)
    place = slice(start, start + which.size)
    # Gathered straight into the output ("clip": the indices are in range; it is the
    # mode that does not buffer).
    np.take(need.from_parent, which, out=out.from_parent[place], mode="clip")
    np.take(need.sku_row, which, out=out.sku_row[place], mode="clip")
    np.take(need.period, which, out=out.period[place], mode="clip")
    np.subtract(hi, lo, out=out.quantity[place])
    if order.size:  # the chunk's planned orders, a range after the previous chunk's
        out.counts[order[0] + 1 : order[-1] + 2] = np.bincount(order - order[0])


def _sources(bundle: Bundle, records: Records, rank: I64, by_rank: I64) -> _Sources:
    bom = bundle.bom
    edges = np.lexsort((rank[bom.parent], rank[bom.component]))
    own_row, own_period, own_amount = _nonzero(records.independent)
    by_block = np.argsort(rank[own_row], kind="stable")  # each row's cells stay by period
    rel_row, rel_period, rel_amount = _nonzero(records.releases)
    rel_count = np.bincount(rel_row, minlength=by_rank.size)
    return _Sources(
        by_rank=by_rank, own_block=rank[own_row[by_block]], own_period=own_period[by_block],
        own_amount=own_amount[by_block], kid=rank[bom.component[edges]],
        parent=bom.parent[edges], factor=bom.factor[edges], places=bom.places,
        periods=bundle.periods, rel_period=rel_period, rel_amount=rel_amount,
        rel_count=rel_count, rel_end=np.cumsum(rel_count),
    )


def _requirements(made_of: _Sources, first_block: int, end_block: int) -> _Requirements:
    """Requirements of items ``first_block`` to ``end_block`` (output positions): own
    demand, then each parent's releases (parents in output order), period by period."""
    src, bounds = made_of, [first_block, end_block]
    own_lo, own_hi = np.searchsorted(src.own_block, bounds)
    own_block, own_period = src.own_block[own_lo:own_hi] - first_block, src.own_period[own_lo:own_hi]
    lo, hi = np.searchsorted(src.kid, bounds)
    kid, parent = src.kid[lo:hi] - first_block, src.parent[lo:hi]
    count = src.rel_count[parent]
    # Edge j asks for each nonzero release of its parent, entries at[...] of the release list.
    at = np.repeat(src.rel_end[parent] - np.cumsum(count), count) + np.arange(int(count.sum()))
    local_edge = np.repeat(np.arange(hi - lo), count)
    period = np.concatenate([own_period, src.rel_period[at]])
    amount = np.concatenate([src.own_amount[own_lo:own_hi],
                             usage(src.rel_amount[at] * src.factor[lo:hi][local_edge], src.places)])
    # Own demand is tagged -1 - its block, a parent's share with its sorted edge.
    tag = np.concatenate([-1 - own_block, local_edge])
    # Laid out as own demand, then edges by (block, source), each period by period: for one
    # block and period the sources are already in order, and a stable sort keeps them so.
    order = np.argsort(np.concatenate([own_block, kid[local_edge]]) * src.periods + period,
                       kind="stable")
    if not src.factor[lo:hi].all():
        order = order[amount[order] > 0]  # a zero usage factor asks for nothing
    tag = tag[order]
    from_parent = tag >= 0
    safe = np.where(from_parent, tag, 0)
    block = np.where(from_parent, kid[safe] if kid.size else 0, -1 - tag) + first_block
    sku_row = np.where(from_parent, parent[safe] if kid.size else 0, src.by_rank[block])
    return _Requirements(block, from_parent, sku_row, period[order], amount[order])


def _nonzero(matrix: I64) -> tuple[I64, I64, I64]:
    """Row, column and value of each nonzero cell, row by row."""
    flat = np.flatnonzero(matrix)
    row = flat // matrix.shape[1]
    return row, flat - row * matrix.shape[1], matrix.ravel()[flat]


def _starts_on_axis(need: _Requirements, item_start: I64, first: int, end: int) -> I64:
    """Where each requirement of items ``first`` to ``end`` starts on the cumulative axis:
    its item's start, after the item's earlier requirements."""
    before = np.cumsum(need.amount) - need.amount  # the chunk's requirements before each
    if not before.size:
        return before
    opens = np.searchsorted(need.block, np.arange(first, end))  # each item's first one
    shift = item_start[first:end] - before[np.minimum(opens, before.size - 1)]
    return before + shift[need.block - first]


@dataclass(frozen=True)
class _Supply:
    """Nonzero supply pieces in pegging order: ``cell`` is item block × ``width`` + column,
    columns being on hand (0), (scheduled, firm, planned) per period, padding (last)."""

    cell: I64
    amount: I64
    width: int


def _first_orders(orders: PlannedOrders) -> I64:
    """The first order of each planned cell: orders are in cell order, and a cell split at
    ``maximum`` holds several."""
    if not orders.item.size:
        return orders.item
    return np.flatnonzero(np.r_[True, (np.diff(orders.item) != 0)
                                | (np.diff(orders.receipt) != 0)])


def _supply(bundle: Bundle, orders: PlannedOrders, first_order: I64, rank: I64, stock: I64,
            padding: I64) -> _Supply:
    """Supply pieces: only the nonzero ones are built, then put in order by one sort."""
    periods = bundle.periods
    width = 3 * periods + 2
    blocks = np.arange(rank.size)
    cells = [blocks[stock > 0] * width, blocks[padding > 0] * width + width - 1]
    amounts = [stock[stock > 0], padding[padding > 0]]
    for column, matrix in ((1, bundle.scheduled_receipts), (2, bundle.firm_planned_receipts)):
        flat = np.flatnonzero(matrix)
        row = flat // periods
        cells.append(rank[row] * width + 3 * (flat - row * periods) + column)
        amounts.append(matrix.ravel()[flat])
    # The planned receipts are the planned orders' cells: no search of the whole matrix.
    cells.append(rank[orders.item[first_order]] * width + 3 * orders.receipt[first_order] + 3)
    amounts.append(np.add.reduceat(orders.quantity, first_order)
                   if 0 < first_order.size < orders.quantity.size else orders.quantity)
    cell = np.concatenate(cells)
    order = np.argsort(cell, kind="stable")
    return _Supply(cell[order], np.concatenate(amounts)[order], width)


@dataclass(frozen=True)
class _SupplyAxis:
    """Supply pieces on the cumulative axis: where each starts and ends, whether it is a
    planned receipt, the first planned order it holds and the size of its split pieces
    (``any_split``: whether any planned piece is split)."""

    starts: I64
    ends: I64
    planned: Bools
    order: I64
    split: I64
    any_split: bool


def _supply_axis(supply: _Supply, first_order: I64, piece_size: I64) -> _SupplyAxis:
    """The supply pieces ready for matching: ``first_order`` is the first planned order of
    each planned cell, ``piece_size`` by item block."""
    width, cells = supply.width, supply.cell
    column = cells % width
    planned = (column >= 1) & (column < width - 1) & (column % 3 == 0)
    order = np.zeros(cells.size, dtype=np.int64)
    order[planned] = first_order[: int(planned.sum())]
    ends = np.cumsum(supply.amount)
    split = piece_size[cells // width]
    return _SupplyAxis(ends - supply.amount, ends, planned, order, split,
                       bool(split[planned].any()))


def _overlaps(need_lo: I64, need_hi: I64, axis: _SupplyAxis) -> tuple[I64, I64, I64, I64]:
    """Overlaps of requirements with planned orders: (requirement, lo, hi, order)."""
    # The stretch of the axis these requirements cover (they are in axis order).
    low = int(np.searchsorted(axis.ends, need_lo[0], side="right")) if need_lo.size else 0
    high = int(np.searchsorted(axis.ends, need_hi[-1] - 1, side="right")) + 1 if need_lo.size \
        else 0
    ends = axis.ends[low:high]
    first = _count_at_or_below(ends, need_lo)
    count = np.ones_like(first)
    spill = np.flatnonzero(need_hi > ends[first])  # reaching past the first supply piece
    count[spill] += _count_at_or_below(ends, need_hi[spill] - 1) - first[spill]
    if spill.size:
        which = np.repeat(np.arange(need_lo.size), count)
        piece = np.repeat(first - np.cumsum(count) + count, count) + np.arange(which.size)
    else:
        which, piece = np.arange(need_lo.size), first
    keep = axis.planned[low:high][piece]
    which, piece = which[keep], piece[keep]
    piece_lo = axis.starts[low:high][piece]
    lo = np.maximum(need_lo[which], piece_lo)
    hi = np.minimum(need_hi[which], ends[piece])
    order = axis.order[low:high][piece]
    if axis.any_split:
        split = axis.split[low:high][piece]
        if np.any(split > 0):
            which, lo, hi, order = _split_pieces(which, lo, hi, order, piece_lo, split)
    return which, lo, hi, order


def _count_at_or_below(ends: I64, keys: I64) -> I64:
    """``np.searchsorted(ends, keys, side="right")`` for ascending keys, by merging.

    Both are sorted, so a stable sort of the two laid end to end is one linear merge
    (timsort finds the two runs), cheaper than a binary search per key; on a tie an end
    sorts first, so it counts as at or below the key.
    """
    merged = np.argsort(np.concatenate([ends, keys]), kind="stable")
    return np.flatnonzero(merged >= ends.size) - np.arange(keys.size)


def _piece_size(bundle: Bundle) -> I64:
    lots = bundle.lots
    return Modifiers(lots.minimum, lots.maximum, lots.multiple).piece_size()


def _split_pieces(which: I64, lo: I64, hi: I64, order: I64, cell_lo: I64,
                  split: I64) -> tuple[I64, I64, I64, I64]:
    """Cut overlaps at the boundaries of the orders a split lot was divided into."""
    size = np.where(split > 0, split, hi - cell_lo + 1)  # unsplit: one piece covers it
    first = (lo - cell_lo) // size
    count = (hi - 1 - cell_lo) // size - first + 1
    idx = np.repeat(np.arange(which.size), count)
    k = np.repeat(first - np.cumsum(count) + count, count) + np.arange(idx.size)
    boundary = cell_lo[idx] + k * size[idx]
    new_lo = np.maximum(lo[idx], boundary)
    new_hi = np.minimum(hi[idx], boundary + size[idx])
    return which[idx], new_lo, new_hi, order[idx] + k
