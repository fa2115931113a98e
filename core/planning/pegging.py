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
binary search. Requirements are laid out per item as (period, source)
cells in a flat array: a transpose of the (source, period) explosion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.lot_sizing import Modifiers
from core.planning.mrp import Records, explosion
from core.planning.orders import PlannedOrders

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]
EDGE_CHUNK = 20_000  # edges exploded at a time, to bound memory


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
class _Layout:
    """Requirement cells: item block b (output order) has ``size[b]`` sources
    (own demand, then one per parent) × (reserve, periods..., padding) columns."""

    size: I64
    base: I64  # flat index where each block starts
    edges: I64  # BOM edges sorted by (component, parent) output rank
    first_edge: I64  # per block, index into ``edges`` of its first parent


def peg(bundle: Bundle, records: Records, orders: PlannedOrders, rank: I64) -> Pegging:
    """Peg every planned order to the requirements it serves."""
    by_rank = np.argsort(rank)
    start = (bundle.on_hand - bundle.allocated)[by_rank]
    reserve = bundle.safety_stock[by_rank] + np.maximum(-start, 0)
    need_total = reserve + records.gross[by_rank].sum(axis=1)
    supply = _supply_matrix(bundle, records, by_rank, np.maximum(start, 0))
    stretch = np.maximum(need_total, supply.sum(axis=1))
    if float(stretch.sum()) >= 2.0**62:
        raise OverflowError("total quantity too large to peg")
    supply[:, -1] = stretch - supply.sum(axis=1)
    layout = _layout(bundle, rank)
    need = _requirement_cells(bundle, records, layout, by_rank, reserve, stretch - need_total)
    cells = np.flatnonzero(need)
    amounts = need[cells]
    ends = np.cumsum(amounts)
    block, column, source = _decode(layout, cells, bundle.periods)
    real = (column >= 1) & (column <= bundle.periods)  # not reserve, not padding
    pegs = _overlaps(ends[real] - amounts[real], ends[real], supply, orders, bundle, by_rank)
    which, lo, hi, order = pegs
    block, column, source = block[real][which], column[real][which], source[real][which]
    parent_row = by_rank[block]
    if layout.edges.size:  # source s > 0 is the block's s-th parent edge
        edge = layout.edges[np.maximum(layout.first_edge[block] + source - 1, 0)]
        parent_row = np.where(source > 0, bundle.bom.parent[edge], parent_row)
    return Pegging(
        from_parent=source > 0,
        sku_row=parent_row,
        period=column - 1,
        quantity=hi - lo,
        starts=np.searchsorted(order, np.arange(orders.item.size + 1)),
    )


def _layout(bundle: Bundle, rank: I64) -> _Layout:
    bom, count = bundle.bom, len(bundle.skus)
    edges = np.lexsort((rank[bom.parent], rank[bom.component]))
    size = np.bincount(rank[bom.component], minlength=count) + 1
    width = bundle.periods + 2
    base = (np.cumsum(size) - size) * width
    first_edge = np.searchsorted(rank[bom.component][edges], np.arange(count))
    return _Layout(size, base, edges, first_edge)


def _requirement_cells(bundle: Bundle, records: Records, layout: _Layout, by_rank: I64,
                       reserve: I64, padding: I64) -> I64:
    """The flat requirement array: block by block, column by column, source by source."""
    periods = bundle.periods
    size, base = layout.size, layout.base
    cells = np.zeros(int((size.sum()) * (periods + 2)), dtype=np.int64)
    columns = np.arange(1, periods + 1)
    cells[base] = reserve
    cells[base[:, None] + columns[None, :] * size[:, None]] = records.independent[by_rank]
    cells[base + (periods + 1) * size] = padding
    kids = np.repeat(np.arange(size.size), size - 1)  # block of each sorted edge
    place = np.arange(layout.edges.size) - layout.first_edge[kids] + 1
    for lo in range(0, layout.edges.size, EDGE_CHUNK):
        part = slice(lo, lo + EDGE_CHUNK)
        b = kids[part]
        index = base[b][:, None] + columns[None, :] * size[b][:, None] + place[part][:, None]
        cells[index] = explosion(bundle, records.releases, layout.edges[part])
    return cells


def _decode(layout: _Layout, cells: I64, periods: int) -> tuple[I64, I64, I64]:
    """Block, column and source of flat requirement cells."""
    block = np.searchsorted(layout.base, cells, side="right") - 1
    within = cells - layout.base[block]
    size = layout.size[block]
    return block, within // size, within % size


def _supply_matrix(bundle: Bundle, records: Records, by_rank: I64, stock: I64) -> I64:
    """Per item (output order): on hand, then (scheduled, firm, planned) per period, padding."""
    periods = bundle.periods
    supply = np.zeros((by_rank.size, 3 * periods + 2), dtype=np.int64)
    supply[:, 0] = stock
    supply[:, 1 : 3 * periods + 1 : 3] = bundle.scheduled_receipts[by_rank]
    supply[:, 2 : 3 * periods + 1 : 3] = bundle.firm_planned_receipts[by_rank]
    supply[:, 3 : 3 * periods + 1 : 3] = records.planned[by_rank]
    return supply


def _overlaps(need_lo: I64, need_hi: I64, supply: I64, orders: PlannedOrders, bundle: Bundle,
              by_rank: I64) -> tuple[I64, I64, I64, I64]:
    """Overlaps of requirements with planned orders: (requirement, lo, hi, order)."""
    width = supply.shape[1]
    cells = np.flatnonzero(supply)
    amounts = supply.ravel()[cells]
    ends = np.cumsum(amounts)
    first = np.searchsorted(ends, need_lo, side="right")
    count = np.searchsorted(ends, need_hi - 1, side="right") - first + 1
    which = np.repeat(np.arange(need_lo.size), count)
    piece = np.repeat(first - np.cumsum(count) + count, count) + np.arange(which.size)
    column = cells[piece] % width
    planned = (column >= 1) & (column < width - 1) & (column % 3 == 0)
    which, piece = which[planned], piece[planned]
    lo = np.maximum(need_lo[which], ends[piece] - amounts[piece])
    hi = np.minimum(need_hi[which], ends[piece])
    # Planned cells are in the orders' own order; a cell split at `maximum` holds several.
    cell_of = np.cumsum(_is_planned(cells, width)) - 1
    first_order = np.flatnonzero(np.r_[True, (np.diff(orders.item) != 0)
                                       | (np.diff(orders.receipt) != 0)])
    order = first_order[cell_of[piece]]
    row = by_rank[cells[piece] // width]
    split = _piece_size(bundle)[row]
    if np.any(split > 0):
        which, lo, hi, order = _split_pieces(which, lo, hi, order, ends[piece] - amounts[piece],
                                             split)
    return which, lo, hi, order


def _is_planned(cells: I64, width: int) -> Bools:
    column = cells % width
    return (column >= 1) & (column < width - 1) & (column % 3 == 0)


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
