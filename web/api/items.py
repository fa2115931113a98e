"""/api/v1/items: CRUD by id or sku, a filtered paginated list, CSV import and export."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import MediaType, Request, Response, post
from litestar.params import Parameter

from core.auth.login import Principal
from core.catalog import items
from core.catalog.import_job import start_item_import
from core.catalog.item_csv import export_items_csv
from core.config import get_settings
from core.errors import InvalidInput
from core.tenancy.roles import CATALOG_WRITERS
from web.api.common import api_delete, api_get, api_patch, api_post, set_fields, to_json
from web.auth import roles

UNSET: Any = msgspec.UNSET
Kind = Literal["make", "buy"]
Tracking = Literal["none", "lot", "serial"]


class LotSizingIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    rule: str = "lot_for_lot"
    quantity: Decimal | None = None
    periods: int | None = None
    annual_demand: Decimal | None = None
    setup_cost: Decimal | list[Decimal] | None = None
    holding_cost: Decimal | list[Decimal] | None = None
    holding_cost_per_unit_year: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    multiple: Decimal | None = None


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    name: str
    uom: str = "EA"
    kind: Kind = "buy"
    lead_time_days: int = 0
    safety_stock: Decimal = Decimal(0)
    lot_sizing: LotSizingIn | None = None
    tracking: Tracking = "none"
    shelf_life_days: int | None = None
    standard_cost: Decimal = Decimal(0)
    allow_negative_stock: bool = False


class ItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    sku: str | msgspec.UnsetType = UNSET
    name: str | msgspec.UnsetType = UNSET
    uom: str | msgspec.UnsetType = UNSET
    kind: Kind | msgspec.UnsetType = UNSET
    lead_time_days: int | msgspec.UnsetType = UNSET
    safety_stock: Decimal | msgspec.UnsetType = UNSET
    lot_sizing: LotSizingIn | msgspec.UnsetType = UNSET
    tracking: Tracking | msgspec.UnsetType = UNSET
    shelf_life_days: int | None | msgspec.UnsetType = UNSET
    standard_cost: Decimal | msgspec.UnsetType = UNSET
    allow_negative_stock: bool | msgspec.UnsetType = UNSET


def _raw(fields: dict[str, Any]) -> dict[str, Any]:
    lot = fields.get("lot_sizing")
    if isinstance(lot, LotSizingIn):
        fields["lot_sizing"] = {k: v for k, v in msgspec.structs.asdict(lot).items() if v is not None}
    return fields


write = [roles(CATALOG_WRITERS)]


@api_get("/items")
def list_items_route(
    principal: Principal,
    q: str | None = None,
    kind: Kind | None = None,
    tracking: Tracking | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Items ordered by sku; ``q`` searches sku and name."""
    page = items.list_items(principal.tenant_id, q, kind, tracking, limit, offset)
    return {"items": to_json(page.items), "total": page.total, "limit": limit, "offset": offset}


@api_post("/items", status_code=201, guards=write)
def create_item_route(principal: Principal, data: ItemIn) -> dict[str, Any]:
    """Create an item."""
    raw = _raw(msgspec.structs.asdict(data))
    return to_json(items.create_item(principal.tenant_id, raw))


@api_get("/items/{ref:str}")
def get_item_route(principal: Principal, ref: str) -> dict[str, Any]:
    """One item by id or sku."""
    return to_json(items.get_item(principal.tenant_id, ref))


@api_patch("/items/{ref:str}", guards=write)
def update_item_route(principal: Principal, ref: str, data: ItemPatch) -> dict[str, Any]:
    """Change some fields of an item addressed by id or sku."""
    raw = _raw(set_fields(data))
    return to_json(items.update_item(principal.tenant_id, ref, raw))


@api_delete("/items/{ref:str}", guards=write)
def delete_item_route(principal: Principal, ref: str) -> None:
    """Delete an item that has no history."""
    items.delete_item(principal.tenant_id, ref)


@api_get("/items/export", media_type="text/csv")
def export_items_route(principal: Principal) -> Response[str]:
    """All items as CSV, in the columns the import reads."""
    return Response(
        export_items_csv(principal.tenant_id), media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="items.csv"'},
    )


async def _csv_text(request: Request[Any, Any, Any]) -> str:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("attach the CSV as the form field 'file'", "file")
        data: bytes = await upload.read()
    else:
        data = await request.body()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text", "file") from exc


def import_items_answer(result: Any) -> Response[Any]:
    """200 with accepted/rejected rows, or 202 with the job that will do the work."""
    if isinstance(result, uuid.UUID):
        return Response({"job_id": str(result), "status": "queued"}, status_code=202,
                        media_type=MediaType.JSON)
    return Response(result.as_dict(), status_code=200, media_type=MediaType.JSON)


@post("/items/import", guards=write)
async def import_items_route(principal: Principal, request: Request[Any, Any, Any]) -> Response[Any]:
    """Create or update items from CSV (text/csv body or multipart field ``file``).

    Small files answer at once with every accepted and rejected row; large files
    answer 202 with a job id to poll at ``/api/v1/jobs/{id}``.
    """
    text = await _csv_text(request)
    threshold = get_settings().import_job_threshold
    result = await anyio.to_thread.run_sync(
        start_item_import, principal.tenant_id, text, principal.user_id, threshold
    )
    return import_items_answer(result)


handlers = [
    list_items_route, create_item_route, export_items_route, import_items_route,
    get_item_route, update_item_route, delete_item_route,
]
