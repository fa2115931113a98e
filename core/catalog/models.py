"""Catalog tables: units of measure (shared reference data), items and locations."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base, created_at, tenant_fk, uuid_pk

QTY = Numeric(20, 6)
MONEY = Numeric(20, 6)


class UnitOfMeasure(Base):
    """Shared reference data: read-only to the application role."""

    __tablename__ = "uom"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))


class Item(Base):
    __tablename__ = "item"
    __tenant_table__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "sku"),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    uom: Mapped[str] = mapped_column(String(16), ForeignKey("uom.code"))
    kind: Mapped[str] = mapped_column(String(8))
    lead_time_days: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    lot_sizing: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tracking: Mapped[str] = mapped_column(String(8), default="none")
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    standard_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Location(Base):
    """A node of a plant's location tree: warehouse → zone → bin."""

    __tablename__ = "location"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "plant_id", "code"),
        ForeignKeyConstraint(["tenant_id", "plant_id"], ["plant.tenant_id", "plant.id"]),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["location.tenant_id", "location.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    plant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = created_at()


class BomLine(Base):
    """One component of a parent item's single-level bill of materials."""

    __tablename__ = "bom_line"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "parent_id", "component_id"),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["item.tenant_id", "item.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "component_id"], ["item.tenant_id", "item.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    parent_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    component_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    scrap_pct: Mapped[Decimal] = mapped_column(Numeric(9, 4), default=Decimal(0))
