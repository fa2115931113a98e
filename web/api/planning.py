"""/api/v1/demands, /api/v1/forecasts, firm MPS quantities, BOMs and planning calendars."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.catalog.bom import read_bom, replace_bom
from core.planning import demand
from core.planning.planning_calendar import get_calendar, set_calendar
from core.tenancy.roles import PLANNERS
from web.api.common import api_delete, api_get, api_post, api_put, to_json
from web.auth import roles

plan_write = [roles(PLANNERS)]


class DemandLineIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    quantity: Decimal
    due_date: date


class SalesOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    number: str
    customer: str
    lines: list[DemandLineIn]
    plant_id: uuid.UUID | None = None


class BucketIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    period_start: date
    quantity: Decimal
    plant_id: uuid.UUID | None = None


class BucketsIn(msgspec.Struct, forbid_unknown_fields=True):
    entries: list[BucketIn]


class BomLineIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    quantity: Decimal
    scrap_pct: Decimal = Decimal(0)


class BomIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[BomLineIn]


class CalendarIn(msgspec.Struct, forbid_unknown_fields=True):
    bucket: Literal["day", "week"] = "week"
    horizon: int = 26
    working_days: list[int] = msgspec.field(default_factory=lambda: [1, 2, 3, 4, 5])
    demand_time_fence: int = 0


def _plain(struct: msgspec.Struct) -> dict[str, Any]:
    return msgspec.to_builtins(struct, builtin_types=(Decimal, date, uuid.UUID))


@api_get("/demands")
def list_demands_route(principal: Principal, sku: str | None = None,
                       limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
                       offset: Annotated[int, Parameter(ge=0)] = 0) -> dict[str, Any]:
    """Sales orders with their dated lines, newest first."""
    rows, total = demand.list_sales_orders(principal.tenant_id, sku, limit, offset)
    return {"items": to_json(rows), "total": total, "limit": limit, "offset": offset}


@api_post("/demands", status_code=201, guards=plan_write)
def create_demand_route(principal: Principal, data: SalesOrderIn) -> dict[str, Any]:
    """A sales order: number, customer and lines (sku, quantity, due date)."""
    return to_json(demand.create_sales_order(principal.tenant_id, _plain(data)))


@api_get("/demands/{demand_id:uuid}")
def get_demand_route(principal: Principal, demand_id: uuid.UUID) -> dict[str, Any]:
    """One sales order."""
    return to_json(demand.get_sales_order(principal.tenant_id, demand_id))


@api_delete("/demands/{demand_id:uuid}", guards=plan_write)
def delete_demand_route(principal: Principal, demand_id: uuid.UUID) -> None:
    """Remove a sales order."""
    demand.delete_sales_order(principal.tenant_id, demand_id)


@api_get("/forecasts")
def list_forecasts_route(principal: Principal, sku: str | None = None) -> dict[str, Any]:
    """Forecast quantities per item and bucket start date."""
    return {"items": to_json(demand.list_forecasts(principal.tenant_id, sku))}


@api_put("/forecasts", guards=plan_write)
def save_forecasts_route(principal: Principal, data: BucketsIn) -> dict[str, Any]:
    """Create or replace forecasts (one per plant, item and bucket start)."""
    return {"items": to_json(demand.save_forecasts(principal.tenant_id, _plain(data)["entries"]))}


@api_delete("/forecasts/{forecast_id:uuid}", guards=plan_write)
def delete_forecast_route(principal: Principal, forecast_id: uuid.UUID) -> None:
    """Remove one forecast entry."""
    demand.delete_forecast(principal.tenant_id, forecast_id)


@api_put("/mps/firm", guards=plan_write)
def save_firm_route(principal: Principal, data: BucketsIn) -> dict[str, Any]:
    """Set firm MPS quantities per item and bucket (0 removes one)."""
    return {"items": to_json(demand.save_firm_receipts(principal.tenant_id, _plain(data)["entries"]))}


@api_get("/items/{ref:str}/bom")
def get_bom_route(principal: Principal, ref: str) -> dict[str, Any]:
    """The item's components (single level)."""
    return {"lines": to_json(read_bom(principal.tenant_id, ref))}


@api_put("/items/{ref:str}/bom", guards=plan_write)
def put_bom_route(principal: Principal, ref: str, data: BomIn) -> dict[str, Any]:
    """Replace the item's components; a cycle is refused naming the line."""
    return {"lines": to_json(replace_bom(principal.tenant_id, ref, _plain(data)["lines"]))}


@api_get("/plants/{plant_id:uuid}/calendar")
def get_calendar_route(principal: Principal, plant_id: uuid.UUID) -> dict[str, Any]:
    """The plant's planning calendar (buckets, horizon, working days, demand time fence)."""
    return to_json(get_calendar(principal.tenant_id, plant_id))


@api_put("/plants/{plant_id:uuid}/calendar", guards=plan_write)
def put_calendar_route(principal: Principal, plant_id: uuid.UUID, data: CalendarIn) -> dict[str, Any]:
    """Set the plant's planning calendar."""
    return to_json(set_calendar(principal.tenant_id, plant_id, _plain(data)))


handlers = [
    list_demands_route, create_demand_route, get_demand_route, delete_demand_route, list_forecasts_route,
    save_forecasts_route, delete_forecast_route, save_firm_route, get_bom_route, put_bom_route,
    get_calendar_route, put_calendar_route,
]
