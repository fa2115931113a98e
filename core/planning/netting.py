"""Gross-to-net in cumulative form, for items whose lots take no modifiers.

Period by period, the record of plan-bundle.md is

    need[t]    = max(0, GR[t] + SS - POH[t-1] - SR[t])     (SR: all fixed supply)
    POH[t]     = POH[t-1] + SR[t] + PORcpt[t] - GR[t]

With ``D[t] = SS - POH[0] + Σ_{s≤t} (GR[s] - SR[s])``, the shortfall below safety
stock through t if nothing were ordered, and ``O[t]`` the planned receipts
through t (``O[-1] = 0``), this is ``need[t] = max(0, D[t] - O[t-1])`` and
``POH[t] = SS - D[t] + O[t]``: everything follows from ``O``. An order is placed
exactly when ``D[t] > O[t-1]``, and then

* lot-for-lot: ``O[t] = D[t]``;
* fixed (and EOQ) of quantity q: ``O[t] = ⌈D[t] / q⌉·q`` (``O`` stays a multiple
  of q, so covering the need with whole lots lands on that multiple);
* POQ of P periods: ``O[t] = max(D[t], ..., D[t+P-1])`` (the lot keeps the
  balance at safety stock through the window).

For the first two the new ``O[t]`` exceeds ``O[t-1]`` exactly when an order is
placed, so ``O`` is simply the running maximum of those targets (and 0): one
NumPy accumulation, no loop over periods. POQ keeps a short loop, three
operations a period on its items only.

Every step is exact integer arithmetic, the same numbers as the period loop,
as long as nothing overflows: :func:`fits` tells which items are small enough
(the others go through the period loop, as before).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.planning.lot_sizing import EOQ, FIXED, POQ

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]

# Every cumulative quantity stays below this, far from the int64 limit (2**63).
_SAFE_TOTAL = 2.0**61


def fits(gross: I64, supply: NDArray[np.float64] | None, start: I64, safety: I64) -> Bools:
    """Items whose cumulative quantities stay exact in int64 (nearly always all);
    ``supply`` is each item's total fixed supply, if any."""
    total = np.abs(start).astype(np.float64) + safety + gross.sum(axis=1, dtype=np.float64)
    if supply is not None:
        total += supply
    return total < _SAFE_TOTAL


def shortfall(need: I64, start: I64, safety: I64) -> I64:
    """``D`` in place: ``need`` holds each period's gross requirement less fixed supply."""
    np.cumsum(need, axis=1, out=need)
    need += (safety - start)[:, None]
    return need


def cumulative_orders(short: I64, rule: I64, quantity: I64, periods: I64) -> I64:
    """``O``: planned receipts through each period, from the shortfall ``D``."""
    orders = short.copy()
    fixed = np.flatnonzero((rule == FIXED) | (rule == EOQ))
    if fixed.size:
        lot = quantity[fixed][:, None]
        orders[fixed] = -(-short[fixed] // lot) * lot
    np.maximum(orders, 0, out=orders)
    np.maximum.accumulate(orders, axis=1, out=orders)
    poq = np.flatnonzero(rule == POQ)
    if poq.size:
        orders[poq] = _poq_orders(short[poq], periods[poq])
    return orders


def _poq_orders(short: I64, periods: I64) -> I64:
    """``O`` of POQ items: on an order, the largest shortfall of the next P periods."""
    count, horizon = short.shape
    target = short.copy()  # max(D[t], ..., D[t+P-1]), the window cut at the horizon
    for k in range(1, min(int(periods.max(initial=1)), horizon)):
        np.maximum(target[:, : horizon - k], short[:, k:], out=target[:, : horizon - k],
                   where=(periods > k)[:, None])
    orders = np.empty_like(short)
    before = np.zeros(count, dtype=np.int64)
    ordering = np.empty(count, dtype=np.bool_)
    for t in range(horizon):
        np.greater(short[:, t], before, out=ordering)
        now = orders[:, t]
        np.copyto(now, before)
        np.copyto(now, target[:, t], where=ordering)
        before = now
    return orders


def record_rows(short: I64, orders: I64, safety: I64, net: I64, planned: I64,
                on_hand: I64) -> None:
    """Net requirements, planned receipts and projected on hand from ``D`` and ``O``,
    written into ``net``, ``planned`` and ``on_hand`` (views of the records, or blocks)."""
    np.subtract(short[:, 1:], orders[:, :-1], out=net[:, 1:])
    net[:, 0] = short[:, 0]
    np.maximum(net, 0, out=net)
    np.subtract(orders[:, 1:], orders[:, :-1], out=planned[:, 1:])
    planned[:, 0] = orders[:, 0]
    np.subtract(orders, short, out=on_hand)
    on_hand += safety[:, None]
