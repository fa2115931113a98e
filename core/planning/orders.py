"""Planned orders: the receipts the engine proposes, one entry per order.

Orders are listed in the output order of items (low-level code, then sku),
then by receipt period; a lot split at ``maximum`` gives several orders in
the same period, full pieces first (see :mod:`core.planning.lot_sizing`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.lot_sizing import Modifiers

I64 = NDArray[np.int64]


def output_rank(bundle: Bundle) -> I64:
    """Each item's position in the output: by low-level code, then sku.

    Everything the plan lists follows this order, so the output does not depend
    on the order of items or BOM lines in the bundle.
    """
    by_sku = np.argsort(np.array(bundle.skus, dtype=str), kind="stable")
    sku_rank = np.empty(len(bundle.skus), dtype=np.int64)
    sku_rank[by_sku] = np.arange(len(bundle.skus))
    order = np.lexsort((sku_rank, bundle.low_level_code))
    rank = np.empty_like(sku_rank)
    rank[order] = np.arange(len(bundle.skus))
    return rank


RANK_CHUNK = 8192  # rows gathered at a time


def nonzero_by_rank(matrix: I64, rank: I64) -> tuple[I64, I64, I64]:
    """Row, column and value of each nonzero cell, in output order of rows, then column."""
    by_rank = np.empty_like(rank)
    by_rank[rank] = np.arange(rank.size)
    parts = []
    # A few thousand rows at a time in output order: their nonzero cells come out in
    # order, with no sort and no temporaries of the size of the matrix.
    for first in range(0, rank.size, RANK_CHUNK):
        rows = by_rank[first : first + RANK_CHUNK]
        cells = matrix[rows]
        flat = np.flatnonzero(cells)
        at = flat // matrix.shape[1]
        parts.append((rows[at], flat - at * matrix.shape[1], cells.ravel()[flat]))
    if not parts:
        return rank[:0], rank[:0], rank[:0]
    row, col, value = zip(*parts, strict=True)
    return np.concatenate(row), np.concatenate(col), np.concatenate(value)


@dataclass(frozen=True)
class PlannedOrders:
    """Planned orders as parallel arrays; periods are 0-based (period 1 is 0)."""

    item: I64
    receipt: I64
    release: I64
    quantity: I64
    periods_late: I64  # > 0 when the release was clamped into period 1


def planned_orders(bundle: Bundle, planned: I64, rank: I64) -> PlannedOrders:
    """Split each period's planned receipt into orders and list them in output order."""
    rows, cols, totals = nonzero_by_rank(planned, rank)
    lots = bundle.lots
    piece = Modifiers(lots.minimum, lots.maximum, lots.multiple).piece_size()[rows]
    if not piece.any():  # no maximum: one order per period with a planned receipt
        due = cols - bundle.lead_time[rows]
        return PlannedOrders(rows, cols, np.maximum(due, 0), totals, np.maximum(-due, 0))
    safe_piece = np.maximum(piece, 1)
    count = np.where(piece > 0, -(-totals // safe_piece), 1)
    item, receipt = np.repeat(rows, count), np.repeat(cols, count)
    last = np.cumsum(count) - 1
    quantity = np.repeat(np.where(piece > 0, piece, totals), count)
    quantity[last] = totals - (count - 1) * piece
    due = receipt - bundle.lead_time[item]
    return PlannedOrders(item, receipt, np.maximum(due, 0), quantity, np.maximum(-due, 0))
