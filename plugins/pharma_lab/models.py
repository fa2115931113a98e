"""The pharma lab's tables (migration 0109).

- ``LabSettings``: per tenant, how many days before an assay run a reagent shortage alerts.
- ``LotSignature``: an electronic signature of a QC release or rejection (21 CFR Part 11
  style). Immutable: the app role may only SELECT and INSERT, a trigger refuses UPDATE and
  DELETE for everyone.
- ``ReagentProfile``: per item, hazard classes, storage condition, in-use days after
  opening, minimum and maximum stock.
- ``LotRecord``: per lot, the certificate of analysis (the file itself) and the opened date.
- ``AssayMethod`` / ``AssayMethodReagent``: a test and what one run of it consumes.
- ``AssayRun`` / ``AssayRunLine``: a scheduled run and the reagents it needs (copied from
  the method when scheduled, so a later change of the method leaves the run alone). What
  it holds is the core reservations whose reference is ``("assay_run", run id)``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.catalog.models import QTY
from core.orm import Base, created_at, tenant_fk, uuid_pk


def _item_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "item_id"], ["item.tenant_id", "item.id"])


def _lot_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"])


def _uuid(nullable: bool = False) -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), nullable=nullable)


def _when(nullable: bool = True) -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=nullable)


class LabSettings(Base):
    """Per tenant: ``shortage_alert_days`` before a run from which a shortage shows."""

    __tablename__ = "pharma_settings"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    shortage_alert_days: Mapped[int] = mapped_column(Integer, default=3)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = created_at()


class LotSignature(Base):
    """A signed QC decision on a lot: who, when, meaning, reason and the signed manifest."""

    __tablename__ = "pharma_signature"
    __tenant_table__ = True
    __table_args__ = (_item_fk(), _lot_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    lot_id: Mapped[uuid.UUID] = _uuid()
    item_id: Mapped[uuid.UUID] = _uuid()
    user_id: Mapped[uuid.UUID] = _uuid()
    signer_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(16))
    meaning: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(1000))
    status_from: Mapped[str] = mapped_column(String(16))
    status_to: Mapped[str] = mapped_column(String(16))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The canonical JSON that was signed, byte for byte, and its SHA-256.
    manifest: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))


class ReagentProfile(Base):
    """What the lab must know to store and use an item as a reagent."""

    __tablename__ = "pharma_reagent"
    __tenant_table__ = True
    __table_args__ = (_item_fk(),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    hazard_classes: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)
    storage_condition: Mapped[str] = mapped_column(String(32))
    in_use_days: Mapped[int | None] = mapped_column(Integer)
    min_stock: Mapped[Decimal | None] = mapped_column(QTY)
    max_stock: Mapped[Decimal | None] = mapped_column(QTY)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = created_at()


class LotRecord(Base):
    """A lot's certificate of analysis (kept with it) and the day it was opened."""

    __tablename__ = "pharma_lot_record"
    __tenant_table__ = True
    __table_args__ = (_lot_fk(),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    lot_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    item_id: Mapped[uuid.UUID] = _uuid()
    opened_on: Mapped[date | None] = mapped_column(Date)
    opened_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    coa_filename: Mapped[str | None] = mapped_column(String(200))
    coa_content_type: Mapped[str | None] = mapped_column(String(100))
    coa_size: Mapped[int | None] = mapped_column(Integer)
    coa_sha256: Mapped[str | None] = mapped_column(String(64))
    coa_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    coa_uploaded_at: Mapped[datetime | None] = _when()
    coa_uploaded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class AssayMethod(Base):
    """A test or assay the lab runs; its reagents are :class:`AssayMethodReagent` rows."""

    __tablename__ = "pharma_assay_method"
    __tenant_table__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()


class AssayMethodReagent(Base):
    """How much of one reagent a single run of the method consumes."""

    __tablename__ = "pharma_assay_reagent"
    __tenant_table__ = True
    __table_args__ = (
        _item_fk(),
        ForeignKeyConstraint(["tenant_id", "method_id"], ["pharma_assay_method.tenant_id", "pharma_assay_method.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    method_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)


class AssayRun(Base):
    """One scheduled run of a method on a day, drawing reagents from one location."""

    __tablename__ = "pharma_assay_run"
    __tenant_table__ = True
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "method_id"], ["pharma_assay_method.tenant_id", "pharma_assay_method.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["location.tenant_id", "location.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    method_id: Mapped[uuid.UUID] = _uuid()
    location_id: Mapped[uuid.UUID] = _uuid()
    scheduled_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    closed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    closed_at: Mapped[datetime | None] = _when()


class AssayRunLine(Base):
    """A reagent the run consumes and how much (what is reserved: core reservations)."""

    __tablename__ = "pharma_assay_run_line"
    __tenant_table__ = True
    __table_args__ = (
        _item_fk(),
        ForeignKeyConstraint(["tenant_id", "run_id"], ["pharma_assay_run.tenant_id", "pharma_assay_run.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
