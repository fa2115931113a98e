"""Reading a tenant's plants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from core import db
from core.billing.entitlements import check_can_add_plant
from core.errors import Conflict, InvalidInput, NotFound
from core.tenancy.models import Plant


@dataclass(frozen=True)
class PlantView:
    id: uuid.UUID
    name: str


def list_plants(tenant_id: uuid.UUID) -> list[PlantView]:
    """The tenant's plants in the order they were created."""
    with db.tenant_session(tenant_id) as session:
        rows = session.scalars(
            select(Plant).where(Plant.tenant_id == tenant_id).order_by(Plant.created_at)
        )
        return [PlantView(p.id, p.name) for p in rows]


def get_plant(tenant_id: uuid.UUID, plant_id: uuid.UUID) -> PlantView:
    """One plant of the tenant; 404 otherwise."""
    with db.tenant_session(tenant_id) as session:
        row = session.scalars(
            select(Plant).where(Plant.tenant_id == tenant_id, Plant.id == plant_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no plant {plant_id}", "plant")
        return PlantView(row.id, row.name)


def create_plant(tenant_id: uuid.UUID, user_id: uuid.UUID | None, name: str) -> PlantView:
    """Add a plant within the plan's ``max_plants`` (403 naming the plan that lifts it)."""
    name = name.strip()
    if not name:
        raise InvalidInput("name must not be empty", "name")
    if len(name) > 200:
        raise InvalidInput("name must be at most 200 characters", "name")
    with db.tenant_session(tenant_id, user_id) as session:
        check_can_add_plant(session, tenant_id)
        taken = session.scalar(select(Plant.id).where(Plant.tenant_id == tenant_id, Plant.name == name))
        if taken is not None:
            raise Conflict(f"a plant named {name!r} already exists", "name")
        plant = Plant(tenant_id=tenant_id, id=uuid.uuid4(), name=name)
        session.add(plant)
        session.flush()
        return PlantView(plant.id, plant.name)


def remove_plant(tenant_id: uuid.UUID, user_id: uuid.UUID | None, plant_id: uuid.UUID) -> None:
    """Remove an empty plant; 409 for the last plant or one that still has locations."""
    from core.catalog.models import Location  # catalog builds on tenancy, not the reverse

    with db.tenant_session(tenant_id, user_id) as session:
        plant = session.scalars(select(Plant).where(Plant.tenant_id == tenant_id, Plant.id == plant_id)
                                .with_for_update()).one_or_none()
        if plant is None:
            raise NotFound(f"no plant {plant_id}", "plant")
        count = session.scalar(select(func.count()).select_from(Plant).where(Plant.tenant_id == tenant_id))
        if int(count or 0) <= 1:
            raise Conflict("a tenant keeps at least one plant", "plant")
        used = session.scalar(select(func.count()).select_from(Location).where(
            Location.tenant_id == tenant_id, Location.plant_id == plant_id))
        if used:
            raise Conflict(f"the plant still has {used} locations; remove them first", "plant")
        session.delete(plant)
