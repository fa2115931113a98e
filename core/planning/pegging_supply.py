"""The supply side of pegging: supply pieces on the cumulative axis, and their
overlaps with requirements (see :mod:`core.planning.pegging`).

An item's supply, in order: on hand, then period by period scheduled
receipts, firm planned receipts and planned orders, then padding up to the
item's stretch. Only the nonzero pieces are built, put in order by one sort;
a requirement's overlaps with them are found by merging the two sorted lists
of positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.lot_sizing import Modifiers
from core.planning.orders import PlannedOrders

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Supply:
    """Nonzero supply pieces in pegging order: ``cell`` is item block × ``width`` + column,
    columns being on hand (0), (scheduled, firm, planned) per period, padding (last)."""

    cell: I64
    amount: I64
    width: int


def first_orders(orders: PlannedOrders) -> I64:
    """The first order of each planned cell: orders are in cell order, and a cell split at
    ``maximum`` holds several."""
    if not orders.item.size:
        return orders.item
    return np.flatnonzero(np.r_[True, (np.diff(orders.item) != 0)
                                | (np.diff(orders.receipt) != 0)])


def supply_pieces(bundle: Bundle, orders: PlannedOrders, first_order: I64, rank: I64, stock: I64,
            padding: I64) -> Supply:
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
    return Supply(cell[order], np.concatenate(amounts)[order], width)


@dataclass(frozen=True)
class SupplyAxis:
    """Supply pieces on the cumulative axis: where each starts and ends, whether it is a
    planned receipt, the first planned order it holds and the size of its split pieces
    (``any_split``: whether any planned piece is split)."""

    starts: I64
    ends: I64
    planned: Bools
    order: I64
    split: I64
    any_split: bool


def supply_axis(supply: Supply, first_order: I64, piece_size: I64) -> SupplyAxis:
    """The supply pieces ready for matching: ``first_order`` is the first planned order of
    each planned cell, ``piece_size`` by item block."""
    width, cells = supply.width, supply.cell
    column = cells % width
    planned = (column >= 1) & (column < width - 1) & (column % 3 == 0)
    order = np.zeros(cells.size, dtype=np.int64)
    order[planned] = first_order[: int(planned.sum())]
    ends = np.cumsum(supply.amount)
    split = piece_size[cells // width]
    return SupplyAxis(ends - supply.amount, ends, planned, order, split,
                       bool(split[planned].any()))


def overlaps(need_lo: I64, need_hi: I64, axis: SupplyAxis) -> tuple[I64, I64, I64, I64]:
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


def piece_sizes(bundle: Bundle) -> I64:
    """Each item's largest single order (0: unbounded), by bundle row."""
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
