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
from core.planning.cells import Cells
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


@dataclass(frozen=True)
class PlannedOrders:
    """Planned orders as parallel arrays; periods are 0-based (period 1 is 0)."""

    item: I64
    receipt: I64
    release: I64
    quantity: I64
    periods_late: I64  # > 0 when the release was clamped into period 1


def planned_orders(bundle: Bundle, planned: Cells) -> PlannedOrders:
    """Split each period's planned receipt into orders; ``planned`` lists the nonzero
    planned receipts in output order (as the engine gives them)."""
    rows, cols, totals = planned.row, planned.period, planned.value
    lots = bundle.lots
    sizes = Modifiers(lots.minimum, lots.maximum, lots.multiple).piece_size()
    if not sizes.any():  # no maximum: one order per period with a planned receipt
        due = cols - bundle.lead_time[rows]
        return PlannedOrders(rows, cols, np.maximum(due, 0), totals, np.maximum(-due, 0))
    piece = sizes[rows]
    safe_piece = np.maximum(piece, 1)
    count = np.where(piece > 0, -(-totals // safe_piece), 1)
    item, receipt = np.repeat(rows, count), np.repeat(cols, count)
    last = np.cumsum(count) - 1
    quantity = np.repeat(np.where(piece > 0, piece, totals), count)
    quantity[last] = totals - (count - 1) * piece
    due = receipt - bundle.lead_time[item]
    return PlannedOrders(item, receipt, np.maximum(due, 0), quantity, np.maximum(-due, 0))
