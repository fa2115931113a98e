"""/api/v1/pharma: the QC queue and signed release or rejection, lot audit trails,
reagent profiles, lot records (certificate of analysis, opening), the assay schedule
and the lab's settings. Every route carries the plugin guard.

Who may do what: everyone but suppliers reads; only the ``qa`` role signs QC decisions
(21 CFR Part 11 wants the QC unit's own person, so not even the owner); the stock people
and QA keep reagent data and the assay schedule; owners and admins change the settings.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import MediaType, Request, Response, post
from litestar.params import Parameter

from core.auth.login import Principal
from core.errors import InvalidInput
from core.inventory.lots import list_lots
from core.tenancy.roles import INVENTORY_WRITERS, READERS, TENANT_ADMINS, Role
from plugins.pharma_lab import assays, audit_trail, coa, reagents, settings, signatures
from web.api.common import client_address, set_fields, to_json
from web.api.inventory_common import inv_get, inv_post, inv_put, page
from web.auth import roles
from web.plugin_guard import plugin_required

PLUGIN = plugin_required("pharma_lab")
#: The people who keep the lab's data: the stock people and QA.
LAB_WRITERS = INVENTORY_WRITERS | {Role.QA}
SIGNERS = frozenset({Role.QA})
read = [PLUGIN, roles(READERS)]
lab_write = [PLUGIN, roles(LAB_WRITERS)]
sign = [PLUGIN, roles(SIGNERS)]
admin = [PLUGIN, roles(TENANT_ADMINS)]
tags = ["pharma"]
get_ = partial(inv_get, tags=tags)
post_ = partial(inv_post, tags=tags)
put_ = partial(inv_put, tags=tags)
RunStatus = Literal["scheduled", "done", "cancelled"]


# ---------------------------------------------------------------- QC


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    """Re-enter your password, say what the signature means and why."""

    password: str
    meaning: str
    reason: str


@get_("/pharma/qc-queue", guards=read)
def qc_queue_route(principal: Principal, limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
                   offset: Annotated[int, Parameter(ge=0)] = 0) -> dict[str, Any]:
    """Lots in quarantine, waiting for a QC decision."""
    rows, total = list_lots(principal.tenant_id, status="quarantine", limit=limit, offset=offset)
    return page(to_json(rows), total, limit, offset)


def _sign(principal: Principal, request: Request[Any, Any, Any], code: str, action: str, data: SignIn,
          sku: str | None) -> dict[str, Any]:
    signer = signatures.Signer(principal.user_id, principal.email, principal.api_key_id is not None,
                               client_address(request))
    signed = signatures.sign_lot(principal.tenant_id, signer, code,
                                 signatures.SignatureRequest(action, data.password, data.meaning, data.reason), sku)
    return {"signature": to_json(signed), "lot": to_json(reagents.get_lot_reagent(principal.tenant_id, code, sku))}


@post_("/pharma/lots/{code:str}/release", status_code=201, guards=sign)
def release_lot_route(principal: Principal, request: Request[Any, Any, Any], code: str, data: SignIn,
                      sku: str | None = None) -> dict[str, Any]:
    """QC release under an electronic signature (role qa): quarantine → available.

    403 for a wrong password (counted like a failed login; 429 once locked) or an API key;
    409 when the lot is not in quarantine; 422 naming a missing meaning or reason.
    """
    return _sign(principal, request, code, "release", data, sku)


@post_("/pharma/lots/{code:str}/reject", status_code=201, guards=sign)
def reject_lot_route(principal: Principal, request: Request[Any, Any, Any], code: str, data: SignIn,
                     sku: str | None = None) -> dict[str, Any]:
    """QC rejection under an electronic signature (role qa): quarantine → rejected."""
    return _sign(principal, request, code, "reject", data, sku)


@get_("/pharma/lots/{code:str}/signatures", guards=read)
def signatures_route(principal: Principal, code: str, sku: str | None = None) -> dict[str, Any]:
    """The lot's signatures, oldest first, each with its manifest and whether it is intact."""
    return {"items": to_json(signatures.list_signatures(principal.tenant_id, code, sku))}


@get_("/pharma/lots/{code:str}/audit-trail", guards=read)
def audit_trail_route(principal: Principal, code: str, sku: str | None = None) -> dict[str, Any]:
    """Every move, status change, signature and lab record of the lot, in time order."""
    return to_json(audit_trail.audit_trail(principal.tenant_id, code, sku))


# ---------------------------------------------------------------- lots: opening and certificates


class OpenIn(msgspec.Struct, forbid_unknown_fields=True):
    opened_on: date | None = None


@get_("/pharma/lots/{code:str}", guards=read)
def lot_lab_route(principal: Principal, code: str, sku: str | None = None) -> dict[str, Any]:
    """The lot's lab data: opened date, in-use expiry, certificate of analysis."""
    return to_json(reagents.get_lot_reagent(principal.tenant_id, code, sku))


@post_("/pharma/lots/{code:str}/open", status_code=200, guards=lab_write)
def open_lot_route(principal: Principal, code: str, data: OpenIn, sku: str | None = None) -> dict[str, Any]:
    """Record that the lot was opened (default today); its in-use period starts."""
    return to_json(reagents.open_lot(principal.tenant_id, code, data.opened_on, principal.user_id, sku))


@post("/pharma/lots/{code:str}/coa", status_code=201, guards=lab_write, tags=tags,
      request_max_body_size=coa.MAX_BYTES + 1024 * 1024)
async def upload_coa_route(principal: Principal, request: Request[Any, Any, Any], code: str,
                           sku: str | None = None) -> dict[str, Any]:
    """Attach the certificate of analysis (multipart field ``file``: PDF, PNG, JPEG or text,
    at most 10 MB, 413 beyond)."""
    tid = principal.tenant_id
    await anyio.to_thread.run_sync(reagents.get_lot_reagent, tid, code, sku)  # 404 first
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("send the certificate as multipart/form-data in the field 'file'", "file")
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("attach the certificate as the form field 'file'", "file")
    data = coa.CoaUpload(upload.filename or "", upload.content_type or "", await upload.read())
    view = await anyio.to_thread.run_sync(coa.upload_coa, tid, code, data, principal.user_id, sku)
    return to_json(view)


@get_("/pharma/lots/{code:str}/coa", guards=read, media_type=MediaType.TEXT)
def download_coa_route(principal: Principal, code: str, sku: str | None = None) -> Response[bytes]:
    """The certificate file itself."""
    found = coa.download_coa(principal.tenant_id, code, sku)
    name = found.filename.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(found.data, media_type=found.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------- reagent profiles


class ReagentIn(msgspec.Struct, forbid_unknown_fields=True):
    """``hazard_classes``: GHS01 … GHS09; ``storage_condition``: ambient, refrigerated,
    frozen, deep_frozen, flammables_cabinet, corrosives_cabinet, desiccator, dark."""

    storage_condition: str
    hazard_classes: list[str] = []
    in_use_days: int | None = None
    min_stock: Decimal | None = None
    max_stock: Decimal | None = None


@get_("/pharma/reagents", guards=read)
def list_reagents_route(principal: Principal) -> dict[str, Any]:
    """Every reagent with its usable stock against its minimum and maximum."""
    rows = reagents.list_reagents(principal.tenant_id)
    return {"items": to_json(rows), "hazard_classes": reagents.HAZARD_CLASSES,
            "storage_conditions": reagents.STORAGE_CONDITIONS}


@get_("/pharma/reagents/{ref:str}", guards=read)
def get_reagent_route(principal: Principal, ref: str) -> dict[str, Any]:
    """One item's reagent profile."""
    return to_json(reagents.get_reagent(principal.tenant_id, ref))


@put_("/pharma/reagents/{ref:str}", guards=lab_write)
def put_reagent_route(principal: Principal, ref: str, data: ReagentIn) -> dict[str, Any]:
    """Create or replace an item's reagent profile (the item must be lot-tracked)."""
    raw = {f: getattr(data, f) for f in data.__struct_fields__}
    return to_json(reagents.save_reagent(principal.tenant_id, ref, raw, principal.user_id))


# ---------------------------------------------------------------- assay schedule


class ReagentNeedIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    quantity: Decimal


class MethodIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    reagents: list[ReagentNeedIn]
    description: str | None = None


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    """``method`` by id or name; ``location`` (id or code) the reagents are drawn from."""

    method: str
    scheduled_on: date
    location: str
    note: str | None = None


@get_("/pharma/assay-methods", guards=read)
def list_methods_route(principal: Principal) -> dict[str, Any]:
    """Every assay method with what one run consumes."""
    return {"items": to_json(assays.list_methods(principal.tenant_id))}


@post_("/pharma/assay-methods", status_code=201, guards=lab_write)
def create_method_route(principal: Principal, data: MethodIn) -> dict[str, Any]:
    """A new assay method (unique name) and its reagents per run."""
    raw = {"name": data.name, "description": data.description,
           "reagents": [{"sku": r.sku, "quantity": r.quantity} for r in data.reagents]}
    return to_json(assays.create_method(principal.tenant_id, raw, principal.user_id))


@get_("/pharma/assay-methods/{method_id:uuid}", guards=read)
def get_method_route(principal: Principal, method_id: uuid.UUID) -> dict[str, Any]:
    """One assay method."""
    return to_json(assays.get_method(principal.tenant_id, method_id))


@get_("/pharma/assay-runs", guards=read)
def list_runs_route(principal: Principal, status: RunStatus | None = None, date_from: date | None = None,
                    date_to: date | None = None, limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
                    offset: Annotated[int, Parameter(ge=0)] = 0) -> dict[str, Any]:
    """Runs by day with what each needs, holds and lacks."""
    rows, total = assays.list_runs(principal.tenant_id, status, date_from, date_to, limit, offset)
    return page(to_json(rows), total, limit, offset)


@post_("/pharma/assay-runs", status_code=201, guards=lab_write)
def schedule_run_route(principal: Principal, data: RunIn) -> dict[str, Any]:
    """Schedule a run and reserve its reagents; a shortage is shown, not refused."""
    return to_json(assays.schedule_run(principal.tenant_id, set_fields(data), principal.user_id))


@get_("/pharma/assay-runs/{assay_run_id:uuid}", guards=read)
def get_run_route(principal: Principal, assay_run_id: uuid.UUID) -> dict[str, Any]:
    """One run."""
    return to_json(assays.get_run(principal.tenant_id, assay_run_id))


@post_("/pharma/assay-runs/{assay_run_id:uuid}/run", status_code=200, guards=lab_write)
def perform_run_route(principal: Principal, assay_run_id: uuid.UUID) -> dict[str, Any]:
    """Issue the reserved reagents and mark the run done (409 while anything is short)."""
    return to_json(assays.perform_run(principal.tenant_id, assay_run_id, principal.user_id))


@post_("/pharma/assay-runs/{assay_run_id:uuid}/cancel", status_code=200, guards=lab_write)
def cancel_run_route(principal: Principal, assay_run_id: uuid.UUID) -> dict[str, Any]:
    """Cancel a scheduled run and release its reservations."""
    return to_json(assays.cancel_run(principal.tenant_id, assay_run_id, principal.user_id))


# ---------------------------------------------------------------- settings


class SettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    shortage_alert_days: int


@get_("/pharma/settings", guards=read)
def get_settings_route(principal: Principal) -> dict[str, Any]:
    """The lab's settings."""
    return to_json(settings.get_settings(principal.tenant_id))


@put_("/pharma/settings", guards=admin)
def put_settings_route(principal: Principal, data: SettingsIn) -> dict[str, Any]:
    """Change from how many days before a run a reagent shortage alerts (0 to 90)."""
    return to_json(settings.update_settings(principal.tenant_id, {"shortage_alert_days": data.shortage_alert_days},
                                            principal.user_id))


handlers = [
    qc_queue_route, release_lot_route, reject_lot_route, signatures_route, audit_trail_route, lot_lab_route,
    open_lot_route, upload_coa_route, download_coa_route, list_reagents_route, get_reagent_route, put_reagent_route,
    list_methods_route, create_method_route, get_method_route, list_runs_route, schedule_run_route, get_run_route,
    perform_run_route, cancel_run_route, get_settings_route, put_settings_route,
]
