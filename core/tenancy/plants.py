"""Reading a tenant's plants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from core import db
from core.errors import NotFound
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
