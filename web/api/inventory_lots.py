"""/api/v1/lots: list, read, re-grade (status, expiry) and trace lots.

A lot is addressed by its code (or id); when two items share a code, add ``?sku=``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory import lots
from web.api.common import set_fields, to_json
from web.api.inventory_common import inv_get, inv_patch, page, write

LotStatus = Literal["available", "quarantine", "rejected", "expired"]


class LotPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: LotStatus | msgspec.UnsetType = msgspec.UNSET
    expiry_date: date | None | msgspec.UnsetType = msgspec.UNSET


@inv_get("/lots")
def list_lots_route(
    principal: Principal,
    sku: str | None = None,
    status: LotStatus | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Lots ordered by sku and received date, each with its quantity on hand."""
    rows, total = lots.list_lots(principal.tenant_id, sku, status, limit, offset)
    return page(to_json(rows), total, limit, offset)


@inv_get("/lots/{code:str}")
def get_lot_route(principal: Principal, code: str, sku: str | None = None) -> dict[str, Any]:
    """One lot."""
    return to_json(lots.get_lot(principal.tenant_id, code, sku))


@inv_patch("/lots/{code:str}", guards=write)
def update_lot_route(principal: Principal, code: str, data: LotPatch, sku: str | None = None) -> dict[str, Any]:
    """Change a lot's status (available, quarantine, rejected, expired) or expiry date; who
    and when are recorded."""
    return to_json(lots.update_lot(principal.tenant_id, code, set_fields(data), principal.user_id, sku))


@inv_get("/lots/{code:str}/trace")
def trace_lot_route(principal: Principal, code: str, sku: str | None = None) -> dict[str, Any]:
    """The lot and every move of it, in posting order."""
    return to_json(lots.trace_lot(principal.tenant_id, code, sku))


handlers = [list_lots_route, get_lot_route, update_lot_route, trace_lot_route]
