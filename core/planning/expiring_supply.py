"""Stock that expires inside the horizon: supply for the periods before its expiry only.

A plugin's ``adjust_supply`` may give a lot a ``usable_until`` date
(:class:`core.planning.mrp_input.SupplyRemoval`). The lot then counts as supply for every
period that ends on or before that date, and whatever of it is still unused when the
first later period begins is lost. How much is unused depends on the item's gross
requirements, which for a component come from its parents' planned orders, so the run
plans twice: the first plan gives every item's gross requirements; the lots are consumed
against them first-expiring-first (after allocations); what is left of each lot when it
expires is taken off the item's on hand; the second plan is the run's result.

Taking the loss off on hand from period 1 instead of from the period it expires in
changes no planned order when the item carries no safety stock: the lot is by definition
still there, unused, in every period before. With safety stock, an order may be proposed
earlier than strictly needed, which errs on the side of having food. A component whose
parents plan more in the second pass consumes more of its expiring lots than the first
pass assumed, so its loss can only be smaller than computed: again the plan errs toward
supply, never toward a shortage.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.planning.planning_calendar import Buckets


@dataclass(frozen=True)
class ExpiringLot:
    """A lot that is supply only until period ``lost_from`` (1-based) begins."""

    item_id: uuid.UUID
    lot_code: str
    quantity: Decimal
    usable_until: date
    lost_from: int


def period_end(buckets: Buckets, period: int) -> date:
    """The last day of a 1-based period."""
    if period < buckets.periods:
        return buckets.starts[period] - timedelta(days=1)
    return buckets.starts[-1] + timedelta(days=6 if buckets.bucket == "week" else 0)


def first_lost_period(buckets: Buckets, usable_until: date) -> int | None:
    """The first period that ends after ``usable_until`` (None: the lot lasts the horizon)."""
    for period in range(1, buckets.periods + 1):
        if period_end(buckets, period) > usable_until:
            return period
    return None


def unused_at_expiry(lots: list[ExpiringLot], allocated: Decimal,
                     gross: list[Decimal]) -> list[tuple[ExpiringLot, Decimal]]:
    """What is left of each expiring lot when it expires, consuming first-expiring-first.

    ``allocated`` is taken first, then each period's gross requirement; the item's other
    stock is used only after its expiring lots, so it never changes what they lose.
    """
    ordered = sorted(lots, key=lambda lot: (lot.lost_from, lot.usable_until, lot.lot_code))
    left = {id(lot): lot.quantity for lot in ordered}
    lost: list[tuple[ExpiringLot, Decimal]] = []

    def consume(amount: Decimal) -> None:
        for lot in ordered:
            if amount <= 0:
                return
            take = min(amount, left[id(lot)])
            left[id(lot)] -= take
            amount -= take

    consume(allocated)
    for period, requirement in enumerate(gross, start=1):
        for lot in ordered:
            if lot.lost_from == period and left[id(lot)] > 0:
                lost.append((lot, left[id(lot)]))
                left[id(lot)] = Decimal(0)
        consume(requirement)
    return lost


def replan_inputs(bundle: dict[str, Any], output: dict[str, Any], expiring: list[ExpiringLot],
                  sku_of: dict[uuid.UUID, str], buckets: Buckets) -> tuple[dict[str, Any], list[str]]:
    """The bundle with each item's on hand less what of its lots expires unused, and the
    run notes that say so (one per lot)."""
    by_sku: dict[str, list[ExpiringLot]] = defaultdict(list)
    for lot in expiring:
        by_sku[sku_of[lot.item_id]].append(lot)
    items, notes = [], []
    for row in bundle["items"]:
        lots = by_sku.get(row["sku"])
        if not lots:
            items.append(row)
            continue
        record = output["items"].get(row["sku"], {})
        gross = [Decimal(str(q)) for q in record.get("gross_requirements", [])]
        on_hand, allocated = Decimal(str(row["on_hand"])), Decimal(str(row.get("allocated", 0)))
        losses = unused_at_expiry(lots, allocated, gross)
        total = sum((q for _, q in losses), Decimal(0))
        for lot, quantity in losses:
            notes.append(f"lot {lot.lot_code}: {quantity.normalize():f} of {lot.quantity.normalize():f} expires "
                         f"unused on {lot.usable_until} (period {lot.lost_from}, "
                         f"{buckets.start_of(lot.lost_from)}) and is not supply from then on")
        items.append({**row, "on_hand": _number(on_hand - total)} if total else row)
    return {**bundle, "items": items}, notes


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
