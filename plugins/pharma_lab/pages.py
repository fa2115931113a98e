"""Lab pages: the QC queue with signature forms, a lot's audit trail (with its certificate
and opening), reagents (profiles, usable stock against min/max as a chart) and the assay
schedule. Pages call the same services as the API; forms carry CSRF tokens.

After a successful form the browser is sent on (303) with a note in ``?done=``; a refused
form shows the page again with the message and the status the API would give.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any
from urllib.parse import quote

import anyio
from litestar import Request, Response
from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.catalog import locations
from core.errors import DomainError, InvalidInput
from core.inventory.lots import get_lot, list_lots
from core.tenancy.roles import Role
from plugins.pharma_lab import assays, audit_trail, coa, reagents, signatures
from plugins.pharma_lab.routes import LAB_WRITERS, PLUGIN, SIGNERS
from web.api.common import client_address
from web.auth import roles
from web.pages.common import form_data, form_post, page_get, render

READ = [PLUGIN]
WRITE = [PLUGIN, roles(LAB_WRITERS)]
SIGN = [PLUGIN, roles(SIGNERS)]


def _done(path: str, note: str) -> Redirect:
    return Redirect(path=f"{path}?done={quote(note)}", status_code=303)


# ---------------------------------------------------------------- QC queue


def _qc(principal: Principal, status_code: int = 200, **extra: Any) -> Template:
    rows, total = list_lots(principal.tenant_id, status="quarantine", limit=500)
    return render("pharma_lab/qc.html", principal, status_code=status_code, lots=rows, total=total,
                  can_sign=principal.role is Role.QA and principal.api_key_id is None,
                  meanings=signatures.SUGGESTED_MEANINGS, **extra)


@page_get("/app/pharma/qc", guards=READ)
def qc_page(principal: Principal, done: str | None = None) -> Template:
    """Lots waiting for QC, with release and reject forms for the qa role."""
    return _qc(principal, flash=done)


@form_post("/app/pharma/qc/{lot_id:uuid}/{action:str}", guards=SIGN)
async def qc_sign(principal: Principal, lot_id: uuid.UUID, action: str,
                  request: Request[Any, Any, Any]) -> Template | Redirect:
    """Sign a release or rejection: password, meaning and reason from the form."""
    form = await form_data(request)
    signer = signatures.Signer(principal.user_id, principal.email, principal.api_key_id is not None,
                               client_address(request))
    wanted = signatures.SignatureRequest(action, form.get("password", ""), form.get("meaning", ""),
                                         form.get("reason", ""))
    try:
        signed = await anyio.to_thread.run_sync(signatures.sign_lot, principal.tenant_id, signer, str(lot_id), wanted)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_qc, principal, exc.status, error=exc.message,
                                                          failed_lot=lot_id, field=exc.field))
    verb = "released" if signed.action == "release" else "rejected"
    return _done("/app/pharma/qc", f"Lot {signed.lot_code} {verb}: signed by {signed.signer_email} "
                                   f"at {signed.signed_at:%Y-%m-%d %H:%M:%S} UTC")


# ---------------------------------------------------------------- one lot


def _lot(principal: Principal, lot_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Template:
    trail = audit_trail.audit_trail(principal.tenant_id, str(lot_id))
    lab = reagents.get_lot_reagent(principal.tenant_id, str(lot_id))
    view = get_lot(principal.tenant_id, str(lot_id))
    return render("pharma_lab/lot.html", principal, status_code=status_code, trail=trail, lab=lab, lot=view,
                  can_write=principal.role in LAB_WRITERS, today=date.today(), **extra)


@page_get("/app/pharma/lots/{lot_id:uuid}", guards=READ)
def lot_page(principal: Principal, lot_id: uuid.UUID, done: str | None = None) -> Template:
    """A lot's audit trail, with its certificate of analysis and in-use expiry."""
    return _lot(principal, lot_id, flash=done)


@page_get("/app/pharma/lots/{lot_id:uuid}/coa", guards=READ)
def lot_coa_file(principal: Principal, lot_id: uuid.UUID) -> Response[bytes]:
    """The certificate file, for the browser."""
    found = coa.download_coa(principal.tenant_id, str(lot_id))
    name = found.filename.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(found.data, media_type=found.content_type,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@form_post("/app/pharma/lots/{lot_id:uuid}/coa", guards=WRITE, request_max_body_size=coa.MAX_BYTES + 1024 * 1024)
async def lot_coa(principal: Principal, lot_id: uuid.UUID, request: Request[Any, Any, Any]) -> Template | Redirect:
    """Upload the certificate of analysis from the lot page."""
    form = await request.form()
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise InvalidInput("choose the certificate file", "file")
        data = coa.CoaUpload(upload.filename, upload.content_type or "", await upload.read())
        await anyio.to_thread.run_sync(coa.upload_coa, principal.tenant_id, str(lot_id), data, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_lot, principal, lot_id, exc.status, error=exc.message))
    return _done(f"/app/pharma/lots/{lot_id}", "Certificate of analysis kept with the lot")


@form_post("/app/pharma/lots/{lot_id:uuid}/open", guards=WRITE)
async def lot_open(principal: Principal, lot_id: uuid.UUID, request: Request[Any, Any, Any]) -> Template | Redirect:
    """Record that the lot was opened."""
    form = await form_data(request)
    try:
        day = date.fromisoformat(form["opened_on"]) if form.get("opened_on") else None
        opened = await anyio.to_thread.run_sync(reagents.open_lot, principal.tenant_id, str(lot_id), day,
                                                principal.user_id)
    except ValueError:
        return await anyio.to_thread.run_sync(partial(_lot, principal, lot_id, 422,
                                                           error="opened_on must be a date (YYYY-MM-DD)"))
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_lot, principal, lot_id, exc.status, error=exc.message))
    return _done(f"/app/pharma/lots/{lot_id}", f"Opened on {opened.opened_on}; usable until {opened.in_use_expiry}")


# ---------------------------------------------------------------- reagents


def _reagents(principal: Principal, status_code: int = 200, **extra: Any) -> Template:
    rows = reagents.list_reagents(principal.tenant_id)
    chart = {"labels": [r.sku for r in rows], "usable": [float(r.usable_stock) for r in rows],
             "min": [float(r.min_stock) if r.min_stock is not None else None for r in rows],
             "max": [float(r.max_stock) if r.max_stock is not None else None for r in rows]}
    lots, _ = list_lots(principal.tenant_id, limit=500)
    profiled = {r.sku for r in rows}
    return render("pharma_lab/reagents.html", principal, status_code=status_code, reagents=rows,
                  chart_json=json.dumps(chart), lots=[lot for lot in lots if lot.sku in profiled],
                  hazards=reagents.HAZARD_CLASSES, storage=reagents.STORAGE_CONDITIONS,
                  can_write=principal.role in LAB_WRITERS, form=extra.pop("form", {}), **extra)


@page_get("/app/pharma/reagents", guards=READ)
def reagents_page(principal: Principal, done: str | None = None) -> Template:
    """Reagent profiles, usable stock against min/max (chart) and the reagents' lots."""
    return _reagents(principal, flash=done)


def _number(value: str | None, field: str) -> Decimal | None:
    if not value or not value.strip():
        return None
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput(f"{field} must be a number", field) from exc


def _whole(value: str | None, field: str) -> int | None:
    if not value or not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput(f"{field} must be a whole number", field)
    return int(value.strip())


@form_post("/app/pharma/reagents", guards=WRITE)
async def reagents_save(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    """Create or replace a reagent profile from the form."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        raw = {"hazard_classes": [v for v in form.getall("hazard_classes", []) if isinstance(v, str)],
               "storage_condition": fields.get("storage_condition"),
               "in_use_days": _whole(fields.get("in_use_days"), "in_use_days"),
               "min_stock": _number(fields.get("min_stock"), "min_stock"),
               "max_stock": _number(fields.get("max_stock"), "max_stock")}
        saved = await anyio.to_thread.run_sync(reagents.save_reagent, principal.tenant_id, fields.get("sku", ""),
                                               raw, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_reagents, principal, exc.status, error=exc.message,
                                                                form=fields))
    return _done("/app/pharma/reagents", f"Reagent profile of {saved.sku} saved")


# ---------------------------------------------------------------- assay schedule


def _assays(principal: Principal, status_code: int = 200, **extra: Any) -> Template:
    runs, _ = assays.list_runs(principal.tenant_id, limit=500)
    places, _ = locations.list_locations(principal.tenant_id, limit=100000)
    return render("pharma_lab/assays.html", principal, status_code=status_code, runs=runs,
                  methods=assays.list_methods(principal.tenant_id), location_codes=[p.code for p in places],
                  can_write=principal.role in LAB_WRITERS, today=date.today(), form=extra.pop("form", {}), **extra)


@page_get("/app/pharma/assays", guards=READ)
def assays_page(principal: Principal, done: str | None = None) -> Template:
    """Scheduled runs by day with their shortages, the methods, and a form to schedule."""
    return _assays(principal, flash=done)


@form_post("/app/pharma/assays", guards=WRITE)
async def assays_schedule(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    """Schedule a run from the form."""
    form = await form_data(request)
    try:
        try:
            day = date.fromisoformat(form.get("scheduled_on", ""))
        except ValueError as exc:
            raise InvalidInput("scheduled_on must be a date (YYYY-MM-DD)", "scheduled_on") from exc
        raw = {"method": form.get("method"), "location": form.get("location"), "scheduled_on": day,
               "note": form.get("note")}
        run = await anyio.to_thread.run_sync(assays.schedule_run, principal.tenant_id, raw, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_assays, principal, exc.status, error=exc.message, form=form))
    note = " — short of reagents" if run.short else ""
    return _done("/app/pharma/assays", f"{run.method} scheduled on {run.scheduled_on}{note}")


@form_post("/app/pharma/assays/{assay_run_id:uuid}/{action:str}", guards=WRITE)
async def assays_act(principal: Principal, assay_run_id: uuid.UUID, action: str) -> Template | Redirect:
    """Run (issue the reagents) or cancel (release them)."""
    act = {"run": assays.perform_run, "cancel": assays.cancel_run}.get(action)
    try:
        if act is None:
            raise InvalidInput(f"no action {action!r}: run or cancel", "action")
        run = await anyio.to_thread.run_sync(act, principal.tenant_id, assay_run_id, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_assays, principal, exc.status, error=exc.message))
    return _done("/app/pharma/assays", f"{run.method} on {run.scheduled_on}: {run.status}")


handlers = [qc_page, qc_sign, lot_page, lot_coa_file, lot_coa, lot_open, reagents_page, reagents_save, assays_page,
            assays_schedule, assays_act]
