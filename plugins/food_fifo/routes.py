"""/api/v1/food/...: the food plugin's API. Every route carries the plugin guard (403 for
tenants that have not enabled food_fifo) and a role guard (see the README's matrix)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import MediaType, Response
from litestar.params import Parameter

from core.auth.login import Principal
from core.daily_scan import queue_daily_scan
from core.tenancy.roles import CATALOG_WRITERS, INVENTORY_WRITERS, READERS, TENANT_ADMINS
from plugins.food_fifo import batches, expiry, picking, recall, receiving, scheduling, settings, spoilage
from web.api.common import set_fields, to_json
from web.api.inventory_common import inv_get, inv_post, inv_put
from web.auth import roles
from web.plugin_guard import plugin_required

FOOD = plugin_required("food_fifo")
readers = [FOOD, roles(READERS)]
writers = [FOOD, roles(INVENTORY_WRITERS)]
catalog = [FOOD, roles(CATALOG_WRITERS)]
admins = [FOOD, roles(TENANT_ADMINS)]


class SettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    alert_days: int | msgspec.UnsetType = msgspec.UNSET
    auto_write_off: bool | msgspec.UnsetType = msgspec.UNSET


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    policy: Literal["fefo", "fifo"]


class ScanIn(msgspec.Struct, forbid_unknown_fields=True):
    day: date | None = None


class ReceiptIn(msgspec.Struct, forbid_unknown_fields=True):
    """A receipt of a food lot: ``code`` is a scanned GS1 label (GTIN, lot, expiry), or give
    ``sku``, ``lot`` and optionally ``expiry_date`` (default: today + shelf life)."""

    quantity: Decimal
    to_location: str
    idempotency_key: str
    code: str | None = None
    sku: str | None = None
    lot: str | None = None
    expiry_date: date | None = None
    supplier_lot: str | None = None
    unit_cost: Decimal | None = None


class InputIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    lot: str
    quantity: Decimal


class BatchIn(msgspec.Struct, forbid_unknown_fields=True):
    """A production batch: make ``quantity`` of ``sku`` (lot ``lot``, default the number)
    from components at ``from_location`` into ``to_location``; ``inputs`` names component
    lots (otherwise the item's FEFO/FIFO policy chooses)."""

    number: str
    sku: str
    quantity: Decimal
    from_location: str
    to_location: str
    lot: str | None = None
    batch_date: date | None = None
    expiry_date: date | None = None
    inputs: list[InputIn] | None = None


class ConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    """Confirm a suggested batch: the planned order, where the finished lot goes, and
    optionally the batch number (default WO-<first 8 hex digits of the order id>)."""

    planned_order_id: uuid.UUID
    to_location: str
    number: str | None = None


@inv_get("/food/settings", guards=readers)
def get_settings_route(principal: Principal) -> dict[str, Any]:
    """The expiry alert window (days) and whether the daily scan writes expired stock off."""
    return to_json(settings.get_settings(principal.tenant_id))


@inv_put("/food/settings", guards=admins)
def put_settings_route(principal: Principal, data: SettingsIn) -> dict[str, Any]:
    """Change ``alert_days`` (0–365) and/or ``auto_write_off``."""
    return to_json(settings.update_settings(principal.tenant_id, set_fields(data), principal.user_id))


@inv_get("/food/policies", guards=readers)
def list_policies_route(principal: Principal) -> dict[str, Any]:
    """Every lot-tracked item with its picking policy (fefo, the default, or fifo)."""
    return {"items": to_json(settings.list_policies(principal.tenant_id))}


@inv_put("/food/policies/{ref:str}", guards=catalog)
def put_policy_route(principal: Principal, ref: str, data: PolicyIn) -> dict[str, Any]:
    """Pick the item (sku or id) FEFO (first expiring first) or FIFO (first received first)."""
    return to_json(settings.set_policy(principal.tenant_id, ref, data.policy))


@inv_get("/food/pick-lists/issue", guards=readers)
def issue_pick_list_route(principal: Principal, sku: str, quantity: Decimal,
                          on: date | None = None) -> dict[str, Any]:
    """Which lots to take, and where, to issue ``quantity`` of ``sku`` on day ``on``."""
    return to_json(picking.issue_pick_list(principal.tenant_id, sku, quantity, on))


@inv_get("/food/pick-lists/batch", guards=readers)
def batch_pick_list_route(principal: Principal, sku: str, quantity: Decimal,
                          on: date | None = None) -> dict[str, Any]:
    """The lots of every component to take to make ``quantity`` of ``sku`` on day ``on``."""
    return {"items": to_json(picking.batch_pick_lists(principal.tenant_id, sku, quantity, on))}


@inv_post("/food/receipts", guards=writers)
def receive_route(principal: Principal, data: ReceiptIn) -> Response[dict[str, Any]]:
    """Receive a food lot; its expiry comes from ``expiry_date``, the scanned label, or the
    item's shelf life (``expiry_source`` says which). 201, or 200 for an idempotent repeat."""
    result = receiving.receive(principal.tenant_id, receiving.FoodReceipt(**msgspec.structs.asdict(data)),
                               principal.user_id)
    return Response(to_json(result), status_code=201 if result.created else 200)


@inv_get("/food/expiry", guards=readers)
def expiry_route(principal: Principal) -> dict[str, Any]:
    """Lots on hand that are expired or expire within the alert window, soonest first."""
    return to_json(expiry.expiry_report(principal.tenant_id))


@inv_post("/food/expiry/scan", guards=writers)
def scan_route(principal: Principal, data: ScanIn | None = None) -> Response[dict[str, Any]]:
    """Run the daily scan now (for ``day``, default today) as a job; 202 with its id."""
    day = data.day if data and data.day else date.today()
    job_id = queue_daily_scan(principal.tenant_id, day, principal.user_id)
    return Response({"job_id": str(job_id), "date": day.isoformat()}, status_code=202)


@inv_get("/food/batches", guards=readers)
def list_batches_route(principal: Principal) -> dict[str, Any]:
    """The latest production batches with the lots each consumed and made."""
    return {"items": to_json(batches.list_batches(principal.tenant_id))}


@inv_post("/food/batches", guards=writers)
def make_batch_route(principal: Principal, data: BatchIn) -> dict[str, Any]:
    """Post a batch: issue the components (reference work_order/<number>) and receive the
    finished lot, valued at the components' cost; all or nothing."""
    inputs = [batches.BatchInput(i.sku, i.lot, i.quantity) for i in data.inputs or []]
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "inputs"}
    return to_json(batches.make_batch(principal.tenant_id, batches.BatchRequest(**fields, inputs=inputs),
                                      principal.user_id))


@inv_get("/food/batches/{number:str}", guards=readers)
def get_batch_route(principal: Principal, number: str) -> dict[str, Any]:
    """One batch by number."""
    return to_json(batches.get_batch(principal.tenant_id, number))


@inv_get("/food/recall/{code:str}", guards=readers)
def recall_route(principal: Principal, code: str, sku: str | None = None,
                 direction: Literal["forward", "backward"] = "forward",
                 format: Literal["json", "csv"] = "json") -> Response[Any]:
    """The recall trace of lot ``code``: forward to every batch, finished lot and shipment
    that used it, or backward to every lot that went into it; as JSON or CSV."""
    found = recall.trace_recall(principal.tenant_id, code, sku, direction)
    if format == "csv":
        return Response(recall.recall_csv(found), media_type="text/csv", headers={
            "content-disposition": f'attachment; filename="recall-{direction}.csv"'})
    return Response(to_json(found), media_type=MediaType.JSON)


@inv_get("/food/schedule", guards=readers)
def schedule_route(principal: Principal, day: date | None = None) -> dict[str, Any]:
    """The suggested batches of ``day`` (default: the first release day) from the latest MRP
    run's planned make orders, each with the component lots to take, oldest usable first."""
    return to_json(scheduling.day_schedule(principal.tenant_id, day))


@inv_post("/food/schedule/confirm", guards=writers)
def confirm_route(principal: Principal, data: ConfirmIn) -> dict[str, Any]:
    """Make a suggested batch, consuming exactly the lots the schedule shows (409 when
    already made or short)."""
    return to_json(scheduling.confirm_suggestion(principal.tenant_id, data.planned_order_id, data.to_location,
                                                 data.number, principal.user_id))


@inv_get("/food/reports/spoilage", guards=readers)
def spoilage_route(principal: Principal, period: str = "week",
                   date_from: Annotated[date | None, Parameter(query="from")] = None,
                   date_to: Annotated[date | None, Parameter(query="to")] = None) -> dict[str, Any]:
    """Quantity and value written off as spoilage per item and ``period`` (week or month)
    between ``from`` and ``to`` (default: the last 12 weeks or months), with chart data."""
    report = spoilage.spoilage_report(principal.tenant_id, period, date_from, date_to)
    return {**to_json(report), "chart": report.chart()}


handlers = [spoilage_route, get_settings_route, put_settings_route, list_policies_route, put_policy_route,
            issue_pick_list_route, batch_pick_list_route, receive_route, expiry_route, scan_route,
            list_batches_route, make_batch_route, get_batch_route, recall_route, schedule_route, confirm_route]
