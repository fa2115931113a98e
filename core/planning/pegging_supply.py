"""The supply side of pegging: supply pieces on the cumulative axis, and their
overlaps with requirements (see :mod:`core.planning.pegging`).

An item's supply, in order: on hand, then period by period scheduled
receipts, firm planned receipts and planned orders, then padding up to the
item's stretch. Only the nonzero pieces are built, a chunk of items at a
time (on the chunk's thread), placed in order by counting; a requirement's
overlaps with them are found by merging the two sorted lists of positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.level_plan import FixedSupply
from core.planning.lot_sizing import Modifiers
from core.planning.orders import PlannedOrders

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]


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


@dataclass(frozen=True)
class SupplyInputs:
    """What the supply pieces of any range of items are made of, by item block (output
    position): on hand used (``stock``), ``padding`` up to the stretch, where the stretch
    starts on the axis (``base``) and the largest single order (``piece``, 0: unbounded);
    the fixed supply cells; the planned orders and each one's item block."""

    stock: I64
    padding: I64
    base: I64
    piece: I64
    fixed: FixedSupply
    orders: PlannedOrders
    order_block: I64  # nondecreasing: orders are in output order


def chunk_axis(inputs: SupplyInputs, periods: int, first: int, end: int) -> SupplyAxis:
    """The supply pieces of blocks ``first`` to ``end``, in order, on the axis.

    A block's pieces: on hand, then period by period scheduled, firm planned and
    planned receipts, then padding; only the nonzero ones. They are placed by
    counting, not sorted: the planned cells come in order from the orders, and the
    few fixed cells are merged among them by binary search.
    """
    fixed = inputs.fixed.of_ranks(first, end)
    p_block, p_period, p_amount, p_order = _planned_cells(inputs, first, end)
    # Within a block, by period, then scheduled (0), firm (1), planned (2).
    width = 3 * periods
    p_key = p_block * width + 3 * p_period + 2
    f_key = fixed.rank * width + 3 * fixed.period + fixed.kind
    p_mid = np.arange(p_key.size) + np.searchsorted(f_key, p_key)
    f_mid = np.arange(f_key.size) + np.searchsorted(p_key, f_key)
    count = end - first
    stock, padding = inputs.stock[first:end], inputs.padding[first:end]
    has_stock, has_pad = stock > 0, padding > 0
    # Each block's middle pieces come after the stock of blocks up to it and the padding
    # of blocks before it.
    shift: I64 = np.cumsum(has_stock) + np.cumsum(has_pad) - has_pad
    pieces = (np.bincount(p_block, minlength=count) + np.bincount(fixed.rank, minlength=count)
              + has_stock + has_pad)
    last = np.cumsum(pieces) - 1  # each block's last piece
    amount = np.empty(int(pieces.sum()), dtype=np.int64)
    planned = np.zeros(amount.size, dtype=np.bool_)
    order = np.zeros(amount.size, dtype=np.int64)
    at = p_mid + shift[p_block]
    amount[at], planned[at], order[at] = p_amount, True, p_order
    amount[f_mid + shift[fixed.rank]] = fixed.amount
    amount[last[has_pad]] = padding[has_pad]
    amount[(last - pieces + 1)[has_stock]] = stock[has_stock]
    ends = np.cumsum(amount)
    ends += inputs.base[first]
    split = np.repeat(inputs.piece[first:end], pieces)
    return SupplyAxis(ends - amount, ends, planned, order, split, bool(split[planned].any()))


def _planned_cells(inputs: SupplyInputs, first: int, end: int) -> tuple[I64, I64, I64, I64]:
    """Block (local), period, quantity and first order of each planned cell of blocks
    ``first`` to ``end``: orders are in cell order, and a cell split at ``maximum``
    holds several."""
    lo, hi = np.searchsorted(inputs.order_block, [first, end])
    orders = inputs.orders
    item, receipt, quantity = orders.item[lo:hi], orders.receipt[lo:hi], orders.quantity[lo:hi]
    if not item.size:
        return item, item, item, item
    opens = np.flatnonzero(np.r_[True, (np.diff(item) != 0) | (np.diff(receipt) != 0)])
    amount = np.add.reduceat(quantity, opens) if opens.size < quantity.size else quantity
    return inputs.order_block[lo:hi][opens] - first, receipt[opens], amount, opens + lo


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
