"""/api/v1/stock and /api/v1/serials: what is where, reserved and available."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory.serials import list_serials
from core.inventory.stock import stock_report
from web.api.common import to_json
from web.api.inventory_common import inv_get, page


@inv_get("/stock")
def stock_route(
    principal: Principal,
    sku: str | None = None,
    location: str | None = None,
    lot: str | None = None,
    plant_id: uuid.UUID | None = None,
    include_zero: bool = False,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Balances per item, location and lot with reserved and available quantities, and per
    item totals. ``location`` (id or code) includes every location below it."""
    report = stock_report(principal.tenant_id, sku, location, lot, plant_id, include_zero, limit, offset)
    return to_json(report)


@inv_get("/serials")
def serials_route(
    principal: Principal,
    sku: str | None = None,
    location: str | None = None,
    in_stock: bool | None = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Serial units and where each one is (``location`` includes its children)."""
    rows, total = list_serials(principal.tenant_id, sku, location, in_stock, limit, offset)
    return page(to_json(rows), total, limit, offset)


handlers = [stock_route, serials_route]
