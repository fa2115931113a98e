"""Gross-to-net period by period, vectorised across items: the general engine.

The cumulative form of :mod:`core.planning.netting` covers nearly every item;
this loop plans the rest a level at a time: items whose orders take modifiers
(``minimum``, ``maximum``, ``multiple`` change each lot, so the orders no longer
follow from the cumulative shortfall alone) and items too large for the
cumulative form to stay exact. The cost-based rules go through the per-item
planner (:func:`plan_one`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.item_record import plan_item
from core.planning.lot_sizing import (
    EOQ,
    FIXED,
    POQ,
    Modifiers,
    apply_modifiers,
    fixed_lots,
    poq_lots,
)

I64 = NDArray[np.int64]


def plan_loop(bundle: Bundle, gross: I64, rows: I64, has_firm: bool) -> tuple[I64, I64, I64]:
    """Net requirements, planned receipts and on hand of ``rows`` (simple rules)."""
    lots = bundle.lots
    need_by_t = gross[rows].T.copy()  # period-major: each period is one contiguous row
    supply = bundle.scheduled_receipts[rows]
    if has_firm:
        supply += bundle.firm_planned_receipts[rows]
    supply_by_t = supply.T.copy()
    safety = bundle.safety_stock[rows]
    rule, quantity = lots.rule[rows], lots.quantity[rows]
    mods = Modifiers(lots.minimum[rows], lots.maximum[rows], lots.multiple[rows])
    fixed = np.flatnonzero((rule == FIXED) | (rule == EOQ))
    poq = np.flatnonzero(rule == POQ)
    cum_poq = np.cumsum(need_by_t[:, poq] - supply_by_t[:, poq], axis=0).T.copy()
    net, planned, on_hand = (np.zeros_like(need_by_t) for _ in range(3))
    balance = bundle.on_hand[rows] - bundle.allocated[rows]
    modified = bool(mods.minimum.any() or mods.maximum.any() or mods.multiple.any())
    poq_periods = lots.periods[rows][poq]
    poq_width = int(poq_periods.max(initial=0))  # the longest POQ window
    for t in range(need_by_t.shape[0]):
        available = balance + supply_by_t[t]
        need = np.maximum(need_by_t[t] + safety - available, 0)
        lot = need.copy()
        lot[fixed] = fixed_lots(need[fixed], quantity[fixed])
        ordering = np.flatnonzero(need[poq] > 0)  # POQ items that order now
        if ordering.size:
            at = poq[ordering]
            before = cum_poq[ordering, t - 1] if t else 0
            base = safety[at] - balance[at] - before
            window = cum_poq[ordering, t : t + poq_width]
            lot[at] = poq_lots(window, base, poq_periods[ordering])
        order = np.where(need > 0, apply_modifiers(lot, mods), 0) if modified else lot
        balance = available + order - need_by_t[t]
        net[t], planned[t], on_hand[t] = need, order, balance
    return net.T, planned.T, on_hand.T


def plan_one(bundle: Bundle, gross: I64, row: int, net: I64, planned: I64, on_hand: I64) -> None:
    """Plan one item with a cost-based rule through the per-item planner."""
    record = plan_item(
        gross[row].tolist(),
        bundle.scheduled_receipts[row].tolist(),
        bundle.firm_planned_receipts[row].tolist(),
        int(bundle.on_hand[row] - bundle.allocated[row]),
        int(bundle.safety_stock[row]),
        bundle.lots.item(row),
        bundle.scale,
    )
    net[row], planned[row], on_hand[row] = record.net, record.planned, record.on_hand
