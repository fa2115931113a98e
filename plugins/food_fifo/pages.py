"""/app/food/...: the food plugin's pages: expiry board and settings, batch schedule,
batches, recall trace and the spoilage report. Every page carries the plugin guard."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import anyio
from litestar import Request
from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.daily_scan import queue_daily_scan
from core.errors import DomainError, InvalidInput
from core.tenancy.roles import INVENTORY_WRITERS, TENANT_ADMINS
from plugins.food_fifo import batches, expiry, recall, scheduling, settings, spoilage
from web.auth import roles
from web.pages.common import form_data, form_post, page_get, render
from web.plugin_guard import plugin_required

FOOD = plugin_required("food_fifo")
WRITERS = [FOOD, roles(INVENTORY_WRITERS)]
ADMINS = [FOOD, roles(TENANT_ADMINS)]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise InvalidInput("day must be a date (YYYY-MM-DD)", "day") from exc


@page_get("/app/food", guards=[FOOD])
def food_page(principal: Principal, flash: str | None = None) -> Template:
    """The expiry board: lots expired or expiring within the window, and the settings."""
    return render("food_fifo/index.html", principal, report=expiry.expiry_report(principal.tenant_id),
                  settings=settings.get_settings(principal.tenant_id),
                  policies=settings.list_policies(principal.tenant_id), flash=flash,
                  can_write=principal.role in INVENTORY_WRITERS, can_admin=principal.role in TENANT_ADMINS)


@form_post("/app/food/settings", guards=ADMINS)
async def settings_submit(principal: Principal, request: Request[Any, Any, Any]) -> Redirect:
    form = await form_data(request)
    raw: dict[str, Any] = {"auto_write_off": form.get("auto_write_off") == "on"}
    try:
        raw["alert_days"] = int(form.get("alert_days", ""))
        await anyio.to_thread.run_sync(settings.update_settings, principal.tenant_id, raw, principal.user_id)
        note = "Settings saved"
    except (ValueError, DomainError) as exc:
        note = getattr(exc, "message", "alert days must be a whole number from 0 to 365")
    return Redirect(path="/app/food", query_params={"flash": note}, status_code=303)


@form_post("/app/food/scan", guards=WRITERS)
async def scan_submit(principal: Principal) -> Redirect:
    await anyio.to_thread.run_sync(queue_daily_scan, principal.tenant_id, date.today(), principal.user_id)
    return Redirect(path="/app/food", query_params={"flash": "Today's expiry scan is queued"}, status_code=303)


@page_get("/app/food/schedule", guards=[FOOD])
def schedule_page(principal: Principal, day: str | None = None, flash: str | None = None) -> Template:
    """The day's suggested batches with the lots to take for each."""
    error = None
    try:
        schedule = scheduling.day_schedule(principal.tenant_id, _day(day))
    except DomainError as exc:
        schedule, error = scheduling.day_schedule(principal.tenant_id), exc.message
    return render("food_fifo/schedule.html", principal, schedule=schedule, flash=flash, error=error,
                  can_write=principal.role in INVENTORY_WRITERS)


@form_post("/app/food/schedule/confirm", guards=WRITERS)
async def confirm_submit(principal: Principal, request: Request[Any, Any, Any]) -> Redirect:
    form = await form_data(request)
    try:
        made = await anyio.to_thread.run_sync(
            scheduling.confirm_suggestion, principal.tenant_id, uuid.UUID(form.get("planned_order_id", "")),
            form.get("to_location", ""), form.get("number") or None, principal.user_id)
        note = f"Batch {made.number} made: {made.quantity.normalize():f} {made.sku} in lot {made.lot}"
    except (ValueError, DomainError) as exc:
        note = getattr(exc, "message", "planned_order_id is not valid")
    return Redirect(path="/app/food/schedule", query_params={"day": form.get("day", ""), "flash": note},
                    status_code=303)


@page_get("/app/food/batches", guards=[FOOD])
def batches_page(principal: Principal) -> Template:
    return render("food_fifo/batches.html", principal, batches=batches.list_batches(principal.tenant_id))


@page_get("/app/food/recall", guards=[FOOD])
def recall_page(principal: Principal, lot: str | None = None, sku: str | None = None,
                direction: str = "forward") -> Template:
    """The recall trace of a lot as a tree, with the summary a QA person acts on."""
    found, error = None, None
    if lot:
        try:
            found = recall.trace_recall(principal.tenant_id, lot.strip(), sku or None, direction)
        except DomainError as exc:
            error = exc.message
    return render("food_fifo/recall.html", principal, recall=found, error=error, lot=lot or "", sku=sku or "",
                  direction=direction, status_code=404 if error and "no lot" in error else 200)


@page_get("/app/food/spoilage", guards=[FOOD])
def spoilage_page(principal: Principal, period: str = "week") -> Template:
    """Spoilage written off per item and period, as a stacked bar chart and a table."""
    report = spoilage.spoilage_report(principal.tenant_id, period if period in spoilage.PERIODS else "week")
    return render("food_fifo/spoilage.html", principal, report=report, chart=report.chart())


handlers = [food_page, settings_submit, scan_submit, schedule_page, confirm_submit, batches_page, recall_page,
            spoilage_page]
