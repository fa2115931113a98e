"""The MPS grid of one end item: forecast, orders, MPS, projected on hand and ATP per bucket."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core import db
from core.catalog.items import find_item
from core.catalog.models import Item
from core.errors import NotFound
from core.planning.demand import resolve_plant
from core.planning.models import (
    FirmPlannedReceipt,
    Forecast,
    MrpRecord,
    MrpRun,
    SalesOrder,
    SalesOrderLine,
    order_of_line,
)
from core.planning.planning_calendar import Buckets, get_calendar, make_buckets


@dataclass(frozen=True)
class MpsGrid:
    sku: str
    name: str
    fence: int
    run_date: date | None
    period_starts: list[date]
    rows: dict[str, list[Any]]


def end_items(tenant_id: uuid.UUID) -> list[str]:
    """Skus that carry independent demand (forecast or customer orders), for the picker."""
    with db.tenant_session(tenant_id) as session:
        ids = set(session.scalars(select(Forecast.item_id).where(Forecast.tenant_id == tenant_id)))
        ids |= set(session.scalars(select(SalesOrderLine.item_id).where(SalesOrderLine.tenant_id == tenant_id)))
        if not ids:
            return []
        return list(session.scalars(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id.in_(ids))
                                    .order_by(Item.sku)))


def _per_period(rows: Any, buckets: Buckets, past_due_to_first: bool) -> list[Decimal]:
    values = [Decimal(0)] * buckets.periods
    for day, quantity in rows:
        if day < buckets.starts[0] and not past_due_to_first:
            continue
        period = buckets.period_of(day)
        if period is not None:
            values[period - 1] += quantity
    return values


def mps_grid(tenant_id: uuid.UUID, sku: str, today: date | None = None) -> MpsGrid:
    """The grid for ``sku``: demand rows from the database, plan rows from the latest run."""
    with db.tenant_session(tenant_id) as session:
        item = find_item(session, tenant_id, sku)
        plant_id = resolve_plant(session, tenant_id, None)
        run = session.scalars(select(MrpRun).where(
            MrpRun.tenant_id == tenant_id, MrpRun.plant_id == plant_id, MrpRun.status == "succeeded")
            .order_by(MrpRun.created_at.desc()).limit(1)).first()
        calendar = get_calendar(tenant_id, plant_id)
        if run is not None:
            buckets = Buckets(run.bucket, list(run.period_starts), frozenset(calendar.working_days))
        else:
            buckets = make_buckets(calendar, today or date.today())
        match = (Forecast.tenant_id == tenant_id, Forecast.item_id == item.id, Forecast.plant_id == plant_id)
        forecast = _per_period(session.execute(select(Forecast.period_start, Forecast.quantity).where(*match)),
                               buckets, False)
        orders = _per_period(session.execute(
            select(SalesOrderLine.due_date, SalesOrderLine.quantity)
            .join(SalesOrder, order_of_line())
            .where(SalesOrderLine.tenant_id == tenant_id, SalesOrderLine.item_id == item.id,
                   SalesOrder.plant_id == plant_id)), buckets, True)
        firm = _per_period(session.execute(select(FirmPlannedReceipt.period_start, FirmPlannedReceipt.quantity).where(
            FirmPlannedReceipt.tenant_id == tenant_id, FirmPlannedReceipt.item_id == item.id,
            FirmPlannedReceipt.plant_id == plant_id)), buckets, False)
        record: dict[str, Any] = defaultdict(lambda: [0] * buckets.periods)
        if run is not None:
            row = session.scalars(select(MrpRecord).where(
                MrpRecord.tenant_id == tenant_id, MrpRecord.run_id == run.id, MrpRecord.item_id == item.id)).first()
            if row is not None:
                record.update(row.record)
        rows = {"forecast": forecast, "orders": orders, "gross": record["gross_requirements"],
                "mps": record["planned_order_receipts"], "projected_on_hand": record["projected_on_hand"],
                "available_to_promise": record["available_to_promise"], "firm": firm}
        return MpsGrid(item.sku, item.name, calendar.demand_time_fence, run.start_date if run else None,
                       list(buckets.starts), {k: [_plain(v) for v in vs] for k, vs in rows.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def first_end_item(tenant_id: uuid.UUID) -> str:
    """The first sku with independent demand; 404 when there is none."""
    skus = end_items(tenant_id)
    if not skus:
        raise NotFound("no item has a forecast or a customer order yet", "sku")
    return skus[0]
