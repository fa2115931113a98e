"""Load one plant's planning problem from the database as a plan bundle.

The bundle is the same format ``plantops plan`` reads (shared/formats/plan-bundle.md),
so the server and the command run one engine on one contract. On hand comes from the
stock ledger less what the ``adjust_supply`` hook takes out (quarantined, rejected or
expired lots are never supply); open reservations are allocations; sales order lines
and forecasts are the MPS demand; firm MPS quantities are firm planned receipts.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalog.models import BomLine, Item
from core.inventory.supply import reserved_by_item, stock_by_lot
from core.planning.expiring_supply import ExpiringLot, first_lost_period
from core.planning.models import FirmPlannedReceipt, Forecast, SalesOrder, SalesOrderLine, order_of_line
from core.planning.planning_calendar import Buckets, CalendarView
from core.plugins import call_hook

#: Lot statuses that are never supply, whatever the plugins say.
BLOCKED_STATUSES = frozenset({"quarantine", "rejected", "expired"})


@dataclass(frozen=True)
class SupplyRemoval:
    """A lot a plugin takes out of supply for this run, and why (shown in the run notes).

    With ``usable_until`` the lot is not removed outright: it stays supply for the periods
    that end on or before that date, and what is left of it then is lost (see
    :mod:`core.planning.expiring_supply`). A date before the end of period 1 removes it.
    """

    lot_id: uuid.UUID
    reason: str
    usable_until: date | None = None


@dataclass(frozen=True)
class PlanItem:
    """What a run needs to know of an item beyond the bundle (read as plain rows, not ORM)."""

    id: uuid.UUID
    sku: str
    kind: str


@dataclass
class LoadedProblem:
    bundle: dict[str, Any]
    items: dict[str, PlanItem]
    notes: list[str] = field(default_factory=list)
    beyond_horizon: int = 0
    #: Lots that are supply only until they expire inside the horizon (plan twice).
    expiring: list[ExpiringLot] = field(default_factory=list)


def number(value: Decimal) -> int | float:
    """A quantity as the bundle's JSON number (exact: at most 6 decimals round-trip)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _per_period(values: Any, periods: int) -> Any:
    """Cost lists set on an item stretch or shrink to the run's horizon (last value repeats)."""
    if not isinstance(values, list) or not values:
        return values
    return (values + [values[-1]] * periods)[:periods]


def _lot_sizing(lot_sizing: dict[str, Any] | None, periods: int) -> dict[str, Any]:
    rule = dict(lot_sizing or {"rule": "lot_for_lot"})
    for name in ("setup_cost", "holding_cost"):
        if name in rule:
            rule[name] = _per_period(rule[name], periods)
    return rule


def usable_on_hand(session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID, buckets: Buckets,
                   notes: list[str], expiring: list[ExpiringLot] | None = None) -> dict[uuid.UUID, Decimal]:
    """On hand per item counting only lots that are supply for this run.

    Lots a plugin dates (``usable_until`` inside the horizon) stay in on hand and are
    listed in ``expiring`` for the second planning pass.
    """
    lots = stock_by_lot(session, tenant_id, plant_id)
    removed: dict[uuid.UUID, str] = {}
    dated: dict[uuid.UUID, date] = {}
    for lot in lots:
        if lot.lot_id is not None and lot.status in BLOCKED_STATUSES:
            removed[lot.lot_id] = f"lot {lot.lot_code} is {lot.status}"
        elif lot.lot_id is not None and lot.expiry_date is not None and lot.expiry_date < buckets.starts[0]:
            # Past its date before the plan starts: no issue or reservation would take it
            # (allocation skips it), whether or not a scan has marked it expired yet.
            removed[lot.lot_id] = f"lot {lot.lot_code} expired on {lot.expiry_date}"
    for answer in call_hook(session, tenant_id, "adjust_supply", tenant_id=tenant_id, lots=lots,
                            period_starts=list(buckets.starts), session=session):
        for removal in answer or []:
            until = getattr(removal, "usable_until", None)
            if until is None or first_lost_period(buckets, until) == 1:
                removed.setdefault(removal.lot_id, removal.reason)
            elif first_lost_period(buckets, until) is not None:
                dated[removal.lot_id] = min(until, dated.get(removal.lot_id, until))
    totals: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for lot in lots:
        if lot.lot_id is None or lot.lot_id not in removed:
            totals[lot.item_id] += lot.quantity
        if lot.lot_id in dated and lot.lot_id not in removed and expiring is not None and lot.quantity > 0:
            until = dated[lot.lot_id]
            expiring.append(ExpiringLot(lot.item_id, lot.lot_code or "", lot.quantity, until,
                                        first_lost_period(buckets, until) or buckets.periods + 1))
    notes.extend(sorted(set(removed.values())))
    return totals



def load_problem(session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID, calendar: CalendarView,
                 buckets: Buckets) -> LoadedProblem:
    """Everything the engine needs for one plant, as a plan bundle dict."""
    columns = (Item.id, Item.sku, Item.kind, Item.lead_time_days, Item.safety_stock, Item.lot_sizing)
    item_rows = session.execute(select(*columns).where(Item.tenant_id == tenant_id).order_by(Item.sku)).all()
    items = {sku: PlanItem(item_id, sku, kind) for item_id, sku, kind, *_ in item_rows}
    sku_of = {item.id: sku for sku, item in items.items()}
    problem = LoadedProblem(bundle={}, items=items)
    on_hand = usable_on_hand(session, tenant_id, plant_id, buckets, problem.notes, problem.expiring)
    reserved = reserved_by_item(session, tenant_id, plant_id)
    demand = _demand(session, tenant_id, plant_id, buckets, problem)
    firm = _bucketed(session, FirmPlannedReceipt, tenant_id, plant_id, buckets)
    zero, rows = Decimal(0), []
    for item_id, sku, _kind, lead_days, safety, lot_sizing in item_rows:
        row: dict[str, Any] = {
            "sku": sku, "on_hand": number(on_hand.get(item_id, zero)),
            "allocated": number(reserved.get(item_id, zero)),
            "lead_time": buckets.lead_time_periods(lead_days),
            "safety_stock": number(safety), "lot_sizing": _lot_sizing(lot_sizing, buckets.periods),
        }
        orders, forecast = demand["orders"].get(item_id), demand["forecast"].get(item_id)
        if orders or forecast:
            row["customer_orders"] = _json_buckets(orders or {})
            row["forecast"] = _json_buckets(forecast or {})
            row["demand_time_fence"] = calendar.demand_time_fence
        if item_id in firm:
            row["firm_planned_receipts"] = _json_buckets(firm[item_id])
        rows.append(row)
    lines = session.execute(select(BomLine.parent_id, BomLine.component_id, BomLine.quantity, BomLine.scrap_pct)
                            .where(BomLine.tenant_id == tenant_id))
    bom = [{"parent": sku_of[parent], "component": sku_of[component], "qty": number(quantity),
            **({"scrap_pct": number(scrap)} if scrap else {})}
           for parent, component, quantity, scrap in lines]
    problem.bundle = {"periods": buckets.periods, "items": rows, "bom": bom}
    return problem


def _json_buckets(values: dict[int, Decimal]) -> dict[str, int | float]:
    return {str(period): number(quantity) for period, quantity in sorted(values.items()) if quantity}


def _demand(session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID, buckets: Buckets,
            problem: LoadedProblem) -> dict[str, dict[uuid.UUID, dict[int, Decimal]]]:
    orders: dict[uuid.UUID, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    lines = session.execute(
        select(SalesOrderLine.item_id, SalesOrderLine.due_date, SalesOrderLine.quantity)
        .join(SalesOrder, order_of_line())
        .where(SalesOrderLine.tenant_id == tenant_id, SalesOrder.plant_id == plant_id))
    for item_id, due, quantity in lines:
        period = buckets.period_of(due)
        if period is None:
            problem.beyond_horizon += 1
            continue
        orders[item_id][period] += quantity
    forecast = _bucketed(session, Forecast, tenant_id, plant_id, buckets)
    return {"orders": orders, "forecast": forecast}


def _bucketed(session: Session, model: type[Forecast] | type[FirmPlannedReceipt], tenant_id: uuid.UUID,
              plant_id: uuid.UUID, buckets: Buckets) -> dict[uuid.UUID, dict[int, Decimal]]:
    """Quantities per item per period; entries before period 1 (stale) are left out."""
    found: dict[uuid.UUID, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = session.execute(select(model.item_id, model.period_start, model.quantity).where(
        model.tenant_id == tenant_id, model.plant_id == plant_id))
    for item_id, start, quantity in rows:
        if start < buckets.starts[0]:
            continue
        period = buckets.period_of(start)
        if period is not None:
            found[item_id][period] += quantity
    return found
