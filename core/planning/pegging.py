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
into the output, after those of the chunks before it. The supply side lives
in :mod:`core.planning.pegging_supply`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.level_plan import FixedSupply
from core.planning.mrp import Records, usage
from core.planning.orders import PlannedOrders
from core.planning.pegging_supply import SupplyInputs, chunk_axis, overlaps, piece_sizes

PEG_CHUNK = 4096  # items pegged at a time: temporaries of a few megabytes per thread
PEG_THREADS = min(4, os.cpu_count() or 1)  # chunks pegged at once

I64 = NDArray[np.int64]
I32 = NDArray[np.int32]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Pegging:
    """The pegs of all planned orders: order k's are ``[starts[k], starts[k+1])``.

    A peg serves the item's own demand (``from_parent`` False; ``sku_row`` is the
    item) or a parent's planned order release (``sku_row`` is the parent and
    ``period`` the release period, which is also the period of the requirement).
    Periods are 0-based. Rows and periods are 32-bit (a plan has far fewer than
    2**31 items or periods): half the memory of the largest part of the plan.
    """

    from_parent: Bools
    sku_row: I32
    period: I32
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
    and period; the parents' nonzero releases by block and period too (the
    engine lists both), row r's ending at ``rel_end[r]``.
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
    by_rank = np.empty_like(rank)
    by_rank[rank] = np.arange(rank.size)
    # The requirements' sources and the supply are independent: listed side by side (NumPy
    # releases the GIL) when there is a second core.
    with ThreadPoolExecutor(1) as pool:
        sourcing = pool.submit(_sources, bundle, records, rank, by_rank)
        supply, item_start = _supply_inputs(bundle, records, orders, rank, by_rank)
        made_of = sourcing.result()
    # No more pegs than requirements plus supply pieces (each planned order one piece):
    # two partitions of an item's stretch have fewer common refinements than that.
    bound = (made_of.own_amount.size + int(made_of.rel_count[made_of.parent].sum())
             + int(np.count_nonzero(supply.stock)) + int(np.count_nonzero(supply.padding))
             + records.fixed_supply.rank.size + 2 * orders.item.size)
    return _peg_chunks(made_of, supply, item_start, orders.item.size, bound)


def _supply_inputs(bundle: Bundle, records: Records, orders: PlannedOrders, rank: I64,
                   by_rank: I64) -> tuple[SupplyInputs, I64]:
    """What the chunks' supply pieces are made of, and where each item's requirements
    start on the axis (its stretch, the larger of its needs and its supply, after the
    reserve)."""
    start = (bundle.on_hand - bundle.allocated)[by_rank]
    reserve = bundle.safety_stock[by_rank] + np.maximum(-start, 0)
    need_total = reserve + records.gross.sum(axis=1)[by_rank]
    stock = np.maximum(start, 0)
    order_block = rank[orders.item]
    supply_total = stock + _supply_sums(records.fixed_supply, orders.quantity, order_block,
                                        rank.size)
    stretch = np.maximum(need_total, supply_total)
    if float(stretch.sum()) >= 2.0**62:
        raise OverflowError("total quantity too large to peg")
    base = np.cumsum(stretch) - stretch  # where each item's stretch starts on the axis
    supply = SupplyInputs(stock, stretch - supply_total, base, piece_sizes(bundle)[by_rank],
                          records.fixed_supply, orders, order_block)
    return supply, base + reserve


def _supply_sums(fixed: FixedSupply, quantity: I64, order_block: I64, count: int) -> I64:
    """Each of ``count`` blocks' scheduled, firm planned and planned receipts in all, from
    the lists of them (exact integers; the matrices are not read again)."""
    total = np.zeros(count, dtype=np.int64)
    np.add.at(total, fixed.rank, fixed.amount)  # a few thousand cells
    if quantity.size:  # orders are by block: one sum per run
        opens = np.flatnonzero(np.r_[True, order_block[1:] != order_block[:-1]])
        total[order_block[opens]] += np.add.reduceat(quantity, opens)
    return total


@dataclass(frozen=True)
class _Out:
    """The pegging being written: each field allocated at the bound of the number of pegs,
    and per planned order k, its number of pegs at ``counts[k + 1]``."""

    from_parent: Bools
    sku_row: I32
    period: I32
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


def _peg_chunks(made_of: _Sources, supply: SupplyInputs, item_start: I64,
                orders: int, bound: int) -> Pegging:
    """Peg the items a chunk at a time, each chunk writing its pegs in place."""
    items = made_of.by_rank.size
    firsts = range(0, items, PEG_CHUNK)
    places = _Places(len(firsts), bound)
    # Each field is allocated at the bound but only written up to the pegs made: the kernel
    # never maps pages that are not written, and no per-chunk parts pile up to be joined.
    out = _Out(np.empty(bound, dtype=np.bool_), np.empty(bound, dtype=np.int32),
               np.empty(bound, dtype=np.int32), np.empty(bound, dtype=np.int64),
               np.zeros(orders + 1, dtype=np.int64))

    def peg_items(chunk: int) -> None:
        try:
            _peg_items(made_of, supply, item_start, firsts[chunk],
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


def _peg_items(made_of: _Sources, supply: SupplyInputs, item_start: I64, first: int, end: int,
               out: _Out, claim: Callable[[int, int], int], chunk: int) -> None:
    """Peg items ``first`` to ``end`` (output positions), writing where ``claim`` says."""
    need = _requirements(made_of, first, end)
    need_lo = _starts_on_axis(need, item_start, first, end)
    axis = chunk_axis(supply, made_of.periods, first, end)
    which, lo, hi, order = overlaps(need_lo, need_lo + need.amount, axis)
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
    # By (component, parent) rank: a pair is one BOM line, so one key per edge, unique,
    # and a plain sort of it is several times faster than np.lexsort of the two.
    edges = np.argsort(rank[bom.component] * rank.size + rank[bom.parent])
    own, rel = records.demand_cells, records.release_cells  # both in output order
    rel_count = np.bincount(rel.row, minlength=by_rank.size)
    # Each row's releases end where those of the rows up to it in output order end.
    rel_end = np.cumsum(rel_count[by_rank])[rank]
    return _Sources(
        by_rank=by_rank, own_block=rank[own.row], own_period=own.period,
        own_amount=own.value, kid=rank[bom.component[edges]],
        parent=bom.parent[edges], factor=bom.factor[edges], places=bom.places,
        periods=bundle.periods, rel_period=rel.period, rel_amount=rel.value,
        rel_count=rel_count, rel_end=rel_end,
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
    own = own_block.size
    # Laid out as own demand, then edges by (block, source), each period by period: for one
    # block and period the sources are already in order, and a stable sort keeps them so.
    block = np.concatenate([own_block, np.repeat(kid, count)])
    period = np.concatenate([own_period, src.rel_period[at]])
    amount = np.concatenate([src.own_amount[own_lo:own_hi],
                             usage(src.rel_amount[at] * np.repeat(src.factor[lo:hi], count),
                                   src.places)])
    sku_row = np.concatenate([src.by_rank[own_block + first_block], np.repeat(parent, count)])
    order = np.argsort(block * src.periods + period, kind="stable")
    if not src.factor[lo:hi].all():
        order = order[amount[order] > 0]  # a zero usage factor asks for nothing
    block = block[order]
    block += first_block
    return _Requirements(block, order >= own, sku_row[order], period[order], amount[order])


def _starts_on_axis(need: _Requirements, item_start: I64, first: int, end: int) -> I64:
    """Where each requirement of items ``first`` to ``end`` starts on the cumulative axis:
    its item's start, after the item's earlier requirements."""
    before = np.cumsum(need.amount) - need.amount  # the chunk's requirements before each
    if not before.size:
        return before
    opens = np.searchsorted(need.block, np.arange(first, end))  # each item's first one
    shift = item_start[first:end] - before[np.minimum(opens, before.size - 1)]
    return before + shift[need.block - first]
