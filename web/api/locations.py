"""/api/v1/locations: the location tree of each plant."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.catalog import locations
from core.tenancy.roles import CATALOG_WRITERS
from web.api.common import api_delete, api_get, api_patch, api_post, set_fields, to_json
from web.auth import roles

LocationKind = Literal["warehouse", "zone", "bin"]


class LocationIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name: str
    kind: LocationKind
    parent_id: uuid.UUID | None = None
    plant_id: uuid.UUID | None = None


class LocationPatch(msgspec.Struct, forbid_unknown_fields=True):
    code: str | msgspec.UnsetType = msgspec.UNSET
    name: str | msgspec.UnsetType = msgspec.UNSET


write = [roles(CATALOG_WRITERS)]


@api_get("/locations")
def list_locations_route(
    principal: Principal,
    plant_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    kind: LocationKind | None = None,
    q: str | None = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Locations ordered by code, filtered by plant, parent, kind or text."""
    rows, total = locations.list_locations(
        principal.tenant_id, plant_id, parent_id, kind, q, limit, offset
    )
    return {"items": to_json(rows), "total": total, "limit": limit, "offset": offset}


@api_post("/locations", status_code=201, guards=write)
def create_location_route(principal: Principal, data: LocationIn) -> dict[str, Any]:
    """Create a warehouse (no parent), a zone (in a warehouse) or a bin (in a zone)."""
    raw = msgspec.structs.asdict(data)
    return to_json(locations.create_location(principal.tenant_id, raw))


@api_get("/locations/{location_id:uuid}")
def get_location_route(principal: Principal, location_id: uuid.UUID) -> dict[str, Any]:
    """One location."""
    return to_json(locations.get_location(principal.tenant_id, location_id))


@api_patch("/locations/{location_id:uuid}", guards=write)
def update_location_route(
    principal: Principal, location_id: uuid.UUID, data: LocationPatch
) -> dict[str, Any]:
    """Rename or re-code a location."""
    view = locations.update_location(principal.tenant_id, location_id, set_fields(data))
    return to_json(view)


@api_delete("/locations/{location_id:uuid}", guards=write)
def delete_location_route(principal: Principal, location_id: uuid.UUID) -> None:
    """Delete an empty location without children."""
    locations.delete_location(principal.tenant_id, location_id)


handlers = [
    list_locations_route, create_location_route, get_location_route,
    update_location_route, delete_location_route,
]
