"""Location use cases: a tree per plant (warehouse → zone → bin)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Location
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy.models import Plant

#: Which kind of location may sit under which: a warehouse is a root.
PARENT_KIND = {"warehouse": None, "zone": "warehouse", "bin": "zone"}


@dataclass(frozen=True)
class LocationView:
    id: uuid.UUID
    plant_id: uuid.UUID
    parent_id: uuid.UUID | None
    code: str
    name: str
    kind: str
    created_at: datetime

    @classmethod
    def of(cls, row: Location) -> LocationView:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def find_location(session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID) -> Location:
    """The tenant's location; 404 otherwise."""
    row = session.scalars(
        select(Location).where(Location.tenant_id == tenant_id, Location.id == location_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no location {location_id}", "location")
    return row


def _text(raw: dict[str, Any], name: str, max_len: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required", name)
    if len(value.strip()) > max_len:
        raise InvalidInput(f"{name} must be at most {max_len} characters", name)
    return value.strip()


def _check_parent(session: Session, tenant_id: uuid.UUID, row: Location) -> None:
    wanted = PARENT_KIND[row.kind]
    if row.parent_id is None:
        if wanted is not None:
            raise InvalidInput(f"a {row.kind} needs a parent {wanted}", "parent_id")
        return
    parent = session.scalars(
        select(Location).where(Location.tenant_id == tenant_id, Location.id == row.parent_id)
    ).one_or_none()
    if parent is None:
        raise InvalidInput(f"parent location {row.parent_id} does not exist", "parent_id")
    if parent.kind != wanted or parent.plant_id != row.plant_id:
        raise InvalidInput(
            f"a {row.kind} must sit in a {wanted or 'nothing'} of the same plant", "parent_id"
        )


def _default_plant(session: Session, tenant_id: uuid.UUID) -> uuid.UUID:
    plant = session.scalars(
        select(Plant.id).where(Plant.tenant_id == tenant_id).order_by(Plant.created_at).limit(1)
    ).first()
    if plant is None:
        raise InvalidInput("the tenant has no plant", "plant_id")
    return plant


def _as_uuid(value: Any, field: str) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{field} must be an id", field) from exc


def _plant(session: Session, tenant_id: uuid.UUID, raw: dict[str, Any]) -> uuid.UUID:
    plant_id = _as_uuid(raw.get("plant_id"), "plant_id")
    if plant_id is None:
        return _default_plant(session, tenant_id)
    found = session.scalar(
        select(func.count()).select_from(Plant).where(Plant.tenant_id == tenant_id, Plant.id == plant_id)
    )
    if not found:
        raise InvalidInput(f"plant {plant_id} does not exist", "plant_id")
    return plant_id


def _save(session: Session, row: Location) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"location code {row.code!r} already exists in this plant", "code") from exc


def create_location(tenant_id: uuid.UUID, raw: dict[str, Any]) -> LocationView:
    """Create a location; its kind must fit under its parent's kind."""
    kind = raw.get("kind")
    if kind not in PARENT_KIND:
        raise InvalidInput("kind must be one of: warehouse, zone, bin", "kind")
    with db.tenant_session(tenant_id) as session:
        row = Location(
            tenant_id=tenant_id, id=uuid.uuid4(), plant_id=_plant(session, tenant_id, raw),
            parent_id=_as_uuid(raw.get("parent_id"), "parent_id"),
            code=_text(raw, "code", 64).upper(), name=_text(raw, "name", 200), kind=kind,
        )
        _check_parent(session, tenant_id, row)
        _save(session, row)
        return LocationView.of(row)


def update_location(tenant_id: uuid.UUID, location_id: uuid.UUID, raw: dict[str, Any]) -> LocationView:
    """Rename or re-code a location (its kind and place in the tree stay)."""
    unknown = sorted(set(raw) - {"code", "name"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed", unknown[0])
    with db.tenant_session(tenant_id) as session:
        row = find_location(session, tenant_id, location_id)
        if "code" in raw:
            row.code = _text(raw, "code", 64).upper()
        if "name" in raw:
            row.name = _text(raw, "name", 200)
        _save(session, row)
        return LocationView.of(row)


def get_location(tenant_id: uuid.UUID, location_id: uuid.UUID) -> LocationView:
    """One location."""
    with db.tenant_session(tenant_id) as session:
        return LocationView.of(find_location(session, tenant_id, location_id))


def delete_location(tenant_id: uuid.UUID, location_id: uuid.UUID) -> None:
    """Delete a location with no children and nothing stored in it."""
    with db.tenant_session(tenant_id) as session:
        row = find_location(session, tenant_id, location_id)
        try:
            with session.begin_nested():
                session.delete(row)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(f"location {row.code!r} is in use and cannot be deleted", "location") from exc


def list_locations(
    tenant_id: uuid.UUID,
    plant_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[LocationView], int]:
    """A page of locations ordered by code, and the total that match."""
    conditions = [Location.tenant_id == tenant_id]
    if plant_id:
        conditions.append(Location.plant_id == plant_id)
    if parent_id:
        conditions.append(Location.parent_id == parent_id)
    if kind:
        conditions.append(Location.kind == kind)
    if q:
        conditions.append(Location.code.ilike(f"%{q}%") | Location.name.ilike(f"%{q}%"))
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).select_from(Location).where(*conditions)) or 0
        rows = session.scalars(
            select(Location).where(*conditions).order_by(Location.code).limit(limit).offset(offset)
        )
        return [LocationView.of(r) for r in rows], total
