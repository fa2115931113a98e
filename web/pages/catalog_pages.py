"""Dashboard, items (list, create, edit, import, export), locations and plugins pages."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
from litestar import Request, Response
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from core import db
from core.alerts import plugin_alerts
from core.auth.login import Principal
from core.catalog import items, locations
from core.catalog.import_job import start_item_import
from core.catalog.item_csv import COLUMNS, export_items_csv
from core.catalog.lot_sizing import RULE_PARAMETERS
from core.catalog.models import Item, Location, UnitOfMeasure
from core.config import get_settings
from core.errors import DomainError, InvalidInput
from core.planning.firming import purchasing_alerts
from core.tenancy.plants import list_plants
from core.tenancy.plugin_settings import change_plugin, list_plugin_states
from core.tenancy.roles import CATALOG_WRITERS, TENANT_ADMINS
from web.api.tenant_routes import job_view
from web.auth import roles
from web.pages.common import form_data, form_post, page_get, page_post, render

WRITERS = [roles(CATALOG_WRITERS)]


@page_get("/")
def dashboard(principal: Principal) -> Template:
    tid = principal.tenant_id
    with db.tenant_session(tid) as session:
        counts = {
            "items": session.scalar(select(func.count()).select_from(Item).where(Item.tenant_id == tid)),
            "locations": session.scalar(
                select(func.count()).select_from(Location).where(Location.tenant_id == tid)
            ),
        }
    enabled = [p.name for p in list_plugin_states(tid) if p.enabled]
    return render("dashboard.html", principal, active="dashboard", counts=counts,
                  plants=list_plants(tid), enabled=enabled, alerts=purchasing_alerts(tid),
                  plugin_alerts=plugin_alerts(tid))


def _list_context(principal: Principal, q: str | None, kind: str | None, offset: int) -> dict[str, Any]:
    page = items.list_items(principal.tenant_id, q, kind or None, None, 50, max(0, offset))
    return {"page": page, "q": q, "kind": kind, "can_write": principal.role in CATALOG_WRITERS}


@page_get("/app/items")
def items_page(principal: Principal, q: str | None = None, kind: str | None = None,
               offset: int = 0) -> Template:
    return render("items/list.html", principal, active="items",
                  **_list_context(principal, q, kind, offset))


@page_get("/app/items/table")
def items_table(principal: Principal, q: str | None = None, kind: str | None = None,
                offset: int = 0) -> Template:
    """The htmx fragment behind the search box."""
    return render("items/table.html", principal, **_list_context(principal, q, kind, offset))


def _units() -> list[UnitOfMeasure]:
    with db.global_session() as session:
        return list(session.scalars(select(UnitOfMeasure).order_by(UnitOfMeasure.code)))


def _parse_params(text: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise InvalidInput(f"lot-sizing parameter {part!r} must look like name=value",
                               "lot_sizing")
        params[name.strip()] = value.strip()
    return params


def _raw_of_form(form: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {k: form.get(k, "") for k in (
        "sku", "name", "uom", "kind", "lead_time_days", "safety_stock", "tracking",
        "shelf_life_days", "standard_cost")}
    raw["allow_negative_stock"] = form.get("allow_negative_stock", "false")
    raw["lot_sizing"] = {"rule": form.get("lot_sizing_rule") or "lot_for_lot",
                         **_parse_params(form.get("lot_sizing_params", ""))}
    return raw


def _form_of(item: items.ItemView) -> dict[str, Any]:
    params = ", ".join(f"{k}={v}" for k, v in item.lot_sizing.items() if k != "rule")
    return {**item.__dict__, "lot_sizing_rule": item.lot_sizing.get("rule"),
            "lot_sizing_params": params, "shelf_life_days": item.shelf_life_days or ""}


def _item_form(principal: Principal, form: dict[str, Any], item: Any = None, **extra: Any) -> Template:
    return render("items/form.html", principal, active="items", form=form, item=item,
                  units=_units(), rules=list(RULE_PARAMETERS), **extra)


@page_get("/app/items/new", guards=WRITERS)
def new_item_page(principal: Principal) -> Template:
    return _item_form(principal, {"lot_sizing_rule": "lot_for_lot"})


async def _save_item(principal: Principal, request: Request[Any, Any, Any], ref: str | None) -> Template | Redirect:
    form = await form_data(request)
    try:
        raw = _raw_of_form(form)
        if ref is None:
            await anyio.to_thread.run_sync(items.create_item, principal.tenant_id, raw)
        else:
            await anyio.to_thread.run_sync(items.update_item, principal.tenant_id, ref, raw)
    except DomainError as exc:
        item = {"sku": ref} if ref else None
        return _item_form(principal, form, item, error=exc.message, field=exc.field)
    return Redirect(path="/app/items", status_code=303)


@form_post("/app/items", guards=WRITERS)
async def create_item_submit(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    return await _save_item(principal, request, None)


@page_get("/app/items/{ref:str}/edit")
def edit_item_page(principal: Principal, ref: str) -> Template:
    item = items.get_item(principal.tenant_id, ref)
    return _item_form(principal, _form_of(item), item)


@form_post("/app/items/{ref:str}/edit", guards=WRITERS)
async def edit_item_submit(principal: Principal, ref: str, request: Request[Any, Any, Any]) -> Template | Redirect:
    return await _save_item(principal, request, ref)


@page_get("/app/items/import")
def import_page(principal: Principal) -> Template:
    return render("items/import.html", principal, active="items", columns=COLUMNS)


@form_post("/app/items/import", guards=WRITERS)
async def import_submit(principal: Principal, request: Request[Any, Any, Any]) -> Template:
    form = await request.form()
    upload = form.get("file")
    context: dict[str, Any] = {"active": "items", "columns": COLUMNS}
    try:
        if upload is None or isinstance(upload, str):
            raise InvalidInput("choose a CSV file to import", "file")
        text = (await upload.read()).decode("utf-8-sig")
        result = await anyio.to_thread.run_sync(
            start_item_import, principal.tenant_id, text, principal.user_id,
            get_settings().import_job_threshold,
        )
    except UnicodeDecodeError:
        return render("items/import.html", principal, error="the file is not UTF-8 text", **context)
    except DomainError as exc:
        return render("items/import.html", principal, error=exc.message, **context)
    if isinstance(result, uuid.UUID):
        return render("items/import.html", principal, job_id=result, **context)
    return render("items/import.html", principal, result=result.as_dict(), **context)


@page_get("/app/items/export")
def export_page(principal: Principal) -> Response[str]:
    return Response(export_items_csv(principal.tenant_id), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="items.csv"'})


@page_get("/app/jobs/{job_id:uuid}/progress")
def job_progress(principal: Principal, job_id: uuid.UUID) -> Template:
    """The htmx fragment that polls itself until the job ends."""
    return render("job_progress.html", principal, job=job_view(principal.tenant_id, job_id))


def _tree_context(principal: Principal) -> dict[str, Any]:
    rows, _ = locations.list_locations(principal.tenant_id, limit=100000)
    children: dict[Any, list[Any]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    return {"plants": list_plants(principal.tenant_id), "children": children,
            "all_locations": rows, "can_write": principal.role in CATALOG_WRITERS,
            "active": "locations"}


@page_get("/app/locations")
def locations_page(principal: Principal) -> Template:
    return render("locations/tree.html", principal, form={}, **_tree_context(principal))


@form_post("/app/locations", guards=WRITERS)
async def create_location_submit(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k in ("code", "name", "kind", "parent_id", "plant_id")}
    try:
        await anyio.to_thread.run_sync(locations.create_location, principal.tenant_id, raw)
    except DomainError as exc:
        context = await anyio.to_thread.run_sync(_tree_context, principal)
        return render("locations/tree.html", principal, status_code=exc.status, form=form,
                      error=exc.message, **context)
    return Redirect(path="/app/locations", status_code=303)


@page_get("/app/plugins")
def plugins_page(principal: Principal) -> Template:
    return render("plugins.html", principal, active="plugins",
                  plugins=list_plugin_states(principal.tenant_id),
                  can_admin=principal.role in TENANT_ADMINS)


@page_post("/app/plugins/{name:str}/{action:str}")
def toggle_plugin_submit(principal: Principal, name: str, action: str) -> Template | Redirect:
    if principal.role not in TENANT_ADMINS or action not in ("enable", "disable"):
        return render("plugins.html", principal, status_code=403, active="plugins",
                      plugins=list_plugin_states(principal.tenant_id), can_admin=False,
                      error="only the owner or an admin may change plugins")
    try:
        change_plugin(principal.tenant_id, principal.user_id, name, action == "enable")
    except DomainError as exc:  # e.g. the plan's plugin limit: say so on the page
        return render("plugins.html", principal, status_code=exc.status, active="plugins",
                      plugins=list_plugin_states(principal.tenant_id), can_admin=True,
                      error=exc.message)
    return Redirect(path="/app/plugins", status_code=303)


handlers = [
    dashboard, items_page, items_table, new_item_page, create_item_submit, import_page,
    import_submit, export_page, edit_item_page, edit_item_submit, job_progress,
    locations_page, create_location_submit, plugins_page, toggle_plugin_submit,
]
