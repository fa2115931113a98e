"""/api/v1/mrp: start runs, follow them, read planned orders, exceptions and records."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response
from litestar.params import Parameter

from core import db
from core.alerts import plugin_alerts
from core.auth.login import Principal
from core.planning import firming, mrp_results
from core.planning.demand import resolve_plant
from core.planning.mrp_run import start_mrp_run
from core.tenancy.roles import PLANNERS
from web.api.common import api_get, api_post, to_json
from web.auth import roles

plan_write = [roles(PLANNERS)]


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    plant_id: uuid.UUID | None = None


@api_post("/mrp/runs", guards=plan_write)
def start_run_route(principal: Principal, data: RunIn | None = None) -> Response[dict[str, Any]]:
    """Queue an MRP run for a plant (default: the first); 202 with the run and job ids."""
    with db.tenant_session(principal.tenant_id) as session:
        plant_id = resolve_plant(session, principal.tenant_id, data.plant_id if data else None)
    run_id, job_id = start_mrp_run(principal.tenant_id, plant_id, principal.user_id)
    return Response({"run_id": str(run_id), "job_id": str(job_id), "status": "queued"}, status_code=202)


@api_get("/mrp/runs")
def list_runs_route(principal: Principal) -> dict[str, Any]:
    """The latest runs, newest first."""
    return {"items": to_json(mrp_results.list_runs(principal.tenant_id))}


@api_get("/mrp/runs/{run_id:uuid}")
def get_run_route(principal: Principal, run_id: uuid.UUID) -> dict[str, Any]:
    """Status, progress, counts and phase timings of a run."""
    return to_json(mrp_results.get_run(principal.tenant_id, run_id))


@api_get("/mrp/runs/{run_id:uuid}/planned-orders")
def planned_orders_route(
    principal: Principal, run_id: uuid.UUID, sku: str | None = None,
    kind: Literal["make", "buy"] | None = None, status: Literal["planned", "firm"] | None = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100, offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Planned orders of the run (make or buy, quantity, release and due dates, pegging)."""
    rows, total = mrp_results.list_planned_orders(principal.tenant_id, run_id, sku, kind, status, limit, offset)
    return {"items": to_json(rows), "total": total, "limit": limit, "offset": offset}


@api_get("/mrp/runs/{run_id:uuid}/exceptions")
def exceptions_route(principal: Principal, run_id: uuid.UUID, kind: str | None = None,
                     limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
                     offset: Annotated[int, Parameter(ge=0)] = 0) -> dict[str, Any]:
    """Action messages of the run: past due, expedite, defer, cancel."""
    rows, total = mrp_results.list_exceptions(principal.tenant_id, run_id, kind, limit, offset)
    return {"items": to_json(rows), "total": total, "limit": limit, "offset": offset}


@api_get("/items/{ref:str}/mrp-record")
def mrp_record_route(principal: Principal, ref: str, run: uuid.UUID | None = None) -> dict[str, Any]:
    """The item's time-phased record in a run (default: the latest finished run)."""
    return to_json(mrp_results.item_record(principal.tenant_id, ref, run))


@api_post("/mrp/planned-orders/{order_id:uuid}/firm", status_code=200, guards=plan_write)
def firm_order_route(principal: Principal, order_id: uuid.UUID) -> dict[str, Any]:
    """Firm a planned order (carried into later runs as a firm planned receipt)."""
    return to_json(firming.firm_order(principal.tenant_id, order_id, principal.user_id))


@api_get("/mrp/planned-orders/{order_id:uuid}/pegging")
def pegging_route(principal: Principal, order_id: uuid.UUID) -> dict[str, Any]:
    """The chain of orders and customer orders this planned order serves."""
    return to_json(firming.describe(firming.peg_chain(principal.tenant_id, order_id)))


@api_get("/mrp/alerts")
def alerts_route(principal: Principal) -> dict[str, Any]:
    """Purchasing alerts: planned buys whose release date is today or past."""
    return {"items": to_json(firming.purchasing_alerts(principal.tenant_id))}


@api_get("/alerts")
def plugin_alerts_route(principal: Principal) -> dict[str, Any]:
    """What the tenant's enabled plugins flag now (expiring lots, reagent shortages…),
    most severe first; purchasing alerts are at ``/mrp/alerts``."""
    return {"items": to_json(plugin_alerts(principal.tenant_id))}


handlers = [
    start_run_route, list_runs_route, get_run_route, planned_orders_route, exceptions_route,
    mrp_record_route, firm_order_route, pegging_route, alerts_route, plugin_alerts_route,
]
