"""Planning pages: MRP runs with live progress, planned orders with pegging, exceptions,
the time-phased record with its chart, and the MPS grid with firm quantities in place."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import anyio
from litestar import Request, put
from litestar.response import Redirect, Template

from core import db
from core.auth.login import Principal
from core.errors import DomainError
from core.planning import firming, mrp_results
from core.planning.demand import resolve_plant, save_firm_receipts
from core.planning.mps_grid import end_items, first_end_item, mps_grid
from core.planning.mrp_run import start_mrp_run
from core.tenancy.roles import PLANNERS
from web.auth import roles
from web.pages.common import page_get, page_post, render

PLAN_WRITERS = [roles(PLANNERS)]
RECORD_ROWS = [("gross_requirements", "Gross requirements"), ("scheduled_receipts", "Scheduled receipts"),
               ("projected_on_hand", "Projected on hand"), ("net_requirements", "Net requirements"),
               ("planned_order_receipts", "Planned order receipts"),
               ("planned_order_releases", "Planned order releases"),
               ("available_to_promise", "Available to promise")]


@page_get("/app/mrp")
def runs_page(principal: Principal) -> Template:
    return render("planning/runs.html", principal, active="mrp", runs=mrp_results.list_runs(principal.tenant_id),
                  alerts=firming.purchasing_alerts(principal.tenant_id), can_plan=principal.role in PLANNERS)


@page_post("/app/mrp/runs", guards=PLAN_WRITERS)
def start_run_submit(principal: Principal) -> Redirect:
    with db.tenant_session(principal.tenant_id) as session:
        plant_id = resolve_plant(session, principal.tenant_id, None)
    run_id, _ = start_mrp_run(principal.tenant_id, plant_id, principal.user_id)
    return Redirect(path=f"/app/mrp/runs/{run_id}", status_code=303)


@page_get("/app/mrp/runs/{run_id:uuid}")
def run_page(principal: Principal, run_id: uuid.UUID) -> Template:
    return render("planning/run.html", principal, active="mrp", run=mrp_results.get_run(principal.tenant_id, run_id))


@page_get("/app/mrp/runs/{run_id:uuid}/progress")
def run_progress(principal: Principal, run_id: uuid.UUID) -> Template:
    """The htmx fragment that polls itself every second until the run ends."""
    return render("planning/run_progress.html", principal, run=mrp_results.get_run(principal.tenant_id, run_id))


@page_get("/app/mrp/runs/{run_id:uuid}/orders")
def orders_page(principal: Principal, run_id: uuid.UUID, sku: str | None = None, kind: str | None = None,
                offset: int = 0, error: str | None = None) -> Template:
    orders, total = mrp_results.list_planned_orders(principal.tenant_id, run_id, sku or None, kind or None,
                                                    None, 100, max(0, offset))
    return render("planning/orders.html", principal, active="mrp", run=mrp_results.get_run(principal.tenant_id, run_id),
                  orders=orders, total=total, sku=sku, kind=kind, offset=offset, today=date.today(),
                  can_plan=principal.role in PLANNERS, error=error)


@page_post("/app/mrp/orders/{order_id:uuid}/firm", guards=PLAN_WRITERS)
def firm_submit(principal: Principal, order_id: uuid.UUID) -> Redirect:
    try:
        order = firming.firm_order(principal.tenant_id, order_id, principal.user_id)
    except DomainError as exc:
        chain = firming.peg_chain(principal.tenant_id, order_id)
        run_id = chain.order.run_id if chain.order else ""
        return Redirect(path=f"/app/mrp/runs/{run_id}/orders", query_params={"error": exc.message},
                        status_code=303)
    return Redirect(path=f"/app/mrp/runs/{order.run_id}/orders", status_code=303)


@page_get("/app/mrp/orders/{order_id:uuid}")
def pegging_page(principal: Principal, order_id: uuid.UUID) -> Template:
    return render("planning/pegging.html", principal, active="mrp",
                  chain=firming.peg_chain(principal.tenant_id, order_id))


@page_get("/app/mrp/runs/{run_id:uuid}/exceptions")
def exceptions_page(principal: Principal, run_id: uuid.UUID, kind: str | None = None) -> Template:
    rows, total = mrp_results.list_exceptions(principal.tenant_id, run_id, kind or None, 500, 0)
    return render("planning/exceptions.html", principal, active="mrp",
                  run=mrp_results.get_run(principal.tenant_id, run_id), exceptions=rows, total=total)


@page_get("/app/items/{ref:str}/mrp")
def record_page(principal: Principal, ref: str, run: uuid.UUID | None = None) -> Template:
    return render("planning/record.html", principal, active="mrp",
                  rec=mrp_results.item_record(principal.tenant_id, ref, run), rows=RECORD_ROWS)


@page_get("/app/mps")
def mps_page(principal: Principal, sku: str | None = None) -> Template:
    chosen = sku or first_end_item(principal.tenant_id)
    return render("planning/mps.html", principal, active="mps", grid=mps_grid(principal.tenant_id, chosen),
                  end_items=end_items(principal.tenant_id), can_plan=principal.role in PLANNERS)


@put("/app/mps/{sku:str}/firm/{period_start:date}", guards=PLAN_WRITERS, include_in_schema=False)
async def firm_cell_submit(principal: Principal, sku: str, period_start: date,
                           request: Request[Any, Any, Any]) -> Template:
    """htmx: save one firm MPS cell; answers a small status mark (or the error)."""
    form = await request.form()
    quantity = str(form.get("quantity") or "0").strip() or "0"
    try:
        await anyio.to_thread.run_sync(save_firm_receipts, principal.tenant_id,
                                       [{"sku": sku, "period_start": period_start, "quantity": quantity}])
    except DomainError as exc:
        return Template(template_str='<span class="error" role="alert">{{ m }}</span>', context={"m": exc.message},
                        status_code=200)
    return Template(template_str='<span class="saved" title="saved">✓</span>')


handlers = [runs_page, start_run_submit, run_page, run_progress, orders_page, firm_submit, pegging_page,
            exceptions_page, record_page, mps_page, firm_cell_submit]
