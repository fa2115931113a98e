"""Run a whole plan: MRP records, planned orders, pegging, exceptions and ATP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.exceptions import ActionMessages, action_messages
from core.planning.mps import available_to_promise
from core.planning.mrp import Records, plan_levels
from core.planning.orders import PlannedOrders, output_rank, planned_orders
from core.planning.pegging import Pegging, peg

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Plan:
    """The result of planning a bundle; quantities are scaled by ``bundle.scale``.

    ``rank[row]`` is the item's position in the output; ``atp`` has one row per
    item of ``atp_rows`` (the items that gave customer orders). ``pegging`` is
    computed on first use: it is the largest part of the output, and callers
    that only need the records or the orders never pay for it.
    """

    bundle: Bundle
    records: Records
    rank: I64
    orders: PlannedOrders
    exceptions: ActionMessages
    atp_rows: I64
    atp: I64

    @cached_property
    def pegging(self) -> Pegging:
        """Which requirements each planned order serves (see :mod:`core.planning.pegging`)."""
        return peg(self.bundle, self.records, self.orders, self.rank)


def plan(bundle: Bundle) -> Plan:
    """Plan a validated bundle (pure: no I/O)."""
    # Independent steps run side by side: NumPy releases the GIL in their array work, so
    # on a machine with a second core the skus are sorted while the engine sets up its
    # matrices, and the exceptions are found while the orders are listed.
    with ThreadPoolExecutor(2) as pool:
        ranking = pool.submit(output_rank, bundle)
        records, planned = plan_levels(bundle, ranking.result)
        rank = ranking.result()
        exceptions = pool.submit(action_messages, bundle, records, rank)
        orders = planned_orders(bundle, planned)
        mps = bundle.mps
        atp_rows = mps.rows[mps.has_orders]
        atp = available_to_promise(
            records.receipts[atp_rows] + bundle.scheduled_receipts[atp_rows],
            mps.customer_orders[mps.has_orders],
            bundle.on_hand[atp_rows] - bundle.allocated[atp_rows],
        )
        return Plan(bundle, records, rank, orders, exceptions.result(), atp_rows, atp)
