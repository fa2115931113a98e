"""Master production schedule: gross requirements and discrete available-to-promise.

Choices where plan-bundle.md is silent (APICS CPIM conventions):

* ``demand_time_fence`` = k means periods 1..k are inside the fence; 0 means
  no fence. Inside it only customer orders count, beyond it the larger of
  forecast and customer orders (forecast consumption by orders).
* The MPS quantity of a period, for ATP, is all supply arriving in it:
  planned orders, firm planned receipts, and scheduled receipts (released
  MPS orders are still MPS supply, as in the textbook MPS record).
* On hand for ATP is ``on_hand - allocated``; safety stock is not deducted.
* Borrowing: a negative ATP is added to the nearest earlier ATP period and
  set to 0 there, repeatedly; if period 1 is still negative it stays
  negative, showing the overcommitment.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Mps

I64 = NDArray[np.int64]


def mps_gross_requirements(mps: Mps, periods: int) -> I64:
    """Gross requirement of each MPS item: orders inside the fence, else max(forecast, orders)."""
    inside = np.arange(periods)[None, :] < mps.demand_time_fence[:, None]
    outside = np.maximum(mps.forecast, mps.customer_orders)
    return np.where(inside, mps.customer_orders, outside)


def available_to_promise(supply: I64, orders: I64, on_hand: I64) -> I64:
    """Discrete ATP of each row (loop over periods, vectorised over items).

    ``supply`` is the MPS quantity per period, ``orders`` the customer orders and
    ``on_hand`` the stock at the start of period 1.
    """
    rows, periods = supply.shape
    atp = np.zeros_like(supply)
    point = supply > 0
    point[:, 0] = True
    promised = np.zeros(rows, dtype=np.int64)
    for t in range(periods - 1, -1, -1):
        promised += orders[:, t]
        atp[:, t] = np.where(point[:, t], supply[:, t] - promised, 0)
        promised[point[:, t]] = 0
    atp[:, 0] += on_hand
    borrow = np.zeros(rows, dtype=np.int64)
    for t in range(periods - 1, 0, -1):
        value = atp[:, t] + borrow
        short = point[:, t] & (value < 0)
        atp[:, t] = np.where(point[:, t], np.where(short, 0, value), 0)
        borrow = np.where(point[:, t], np.where(short, value, 0), borrow)
    atp[:, 0] += borrow
    return atp
