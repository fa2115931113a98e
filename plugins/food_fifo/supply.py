"""MRP: a lot is supply only for requirements up to its expiry date.

Every dated lot that expires before the horizon ends is handed back to core with
``usable_until`` = its expiry date: core keeps it as supply for the periods that end by
then and takes what is left of it off from the next period on (planning twice to know
how much is left), so the requirements after its expiry raise planned orders instead.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.inventory.supply import LotStock
from core.planning.mrp_input import SupplyRemoval


def dated_supply(lots: list[LotStock], period_starts: list[date]) -> list[SupplyRemoval]:
    """A dated removal for each available lot that expires inside the horizon."""
    if not period_starts:
        return []
    horizon_end = period_starts[-1] + timedelta(days=7)
    found: dict[Any, SupplyRemoval] = {}
    for lot in lots:
        if lot.lot_id is None or lot.expiry_date is None or lot.status != "available":
            continue
        if lot.expiry_date < horizon_end and lot.lot_id not in found:
            found[lot.lot_id] = SupplyRemoval(
                lot.lot_id, f"lot {lot.lot_code} expires on {lot.expiry_date}: not supply after that",
                usable_until=lot.expiry_date)
    return list(found.values())
