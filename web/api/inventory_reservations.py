"""/api/v1/reservations: reserve available stock for a document, list, read and release."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory import reservations
from web.api.common import to_json
from web.api.inventory_common import inv_get, inv_post, page, write
from web.api.inventory_moves import ReferenceIn

Status = Literal["open", "released", "consumed"]


class ReservationIn(msgspec.Struct, forbid_unknown_fields=True):
    """``location`` by id or code; ``lot`` for lot-tracked items (default: one lot chosen
    first received first)."""

    sku: str
    location: str
    quantity: Decimal
    lot: str | None = None
    reference: ReferenceIn | None = None


@inv_post("/reservations", status_code=201, guards=write)
def create_reservation_route(principal: Principal, data: ReservationIn) -> dict[str, Any]:
    """Reserve; 409 naming item, location, lot, available and requested when short."""
    ref = data.reference
    request = reservations.ReservationRequest(
        data.sku, data.location, data.quantity, data.lot,
        ref.type if ref else None, str(ref.id) if ref else None)
    return to_json(reservations.create_reservation(principal.tenant_id, request, principal.user_id))


@inv_get("/reservations")
def list_reservations_route(
    principal: Principal,
    sku: str | None = None,
    location: str | None = None,
    status: Status | None = None,
    reference_type: str | None = None,
    reference_id: str | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Reservations newest first."""
    rows, total = reservations.list_reservations(principal.tenant_id, sku, location, status, reference_type,
                                                 reference_id, limit, offset)
    return page(to_json(rows), total, limit, offset)


@inv_get("/reservations/{reservation_id:uuid}")
def get_reservation_route(principal: Principal, reservation_id: uuid.UUID) -> dict[str, Any]:
    """One reservation with what it still holds."""
    return to_json(reservations.get_reservation(principal.tenant_id, reservation_id))


@inv_post("/reservations/{reservation_id:uuid}/release", status_code=200, guards=write)
def release_reservation_route(principal: Principal, reservation_id: uuid.UUID) -> dict[str, Any]:
    """Free what an open reservation still holds (409 when it is not open)."""
    return to_json(reservations.release_reservation(principal.tenant_id, reservation_id, principal.user_id))


handlers = [create_reservation_route, list_reservations_route, get_reservation_route, release_reservation_route]
