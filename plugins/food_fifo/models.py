"""The food plugin's tables (migration 0108)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.catalog.models import QTY
from core.orm import Base, created_at, tenant_fk, uuid_pk

POLICIES = ("fefo", "fifo")
DEFAULT_POLICY = "fefo"
DEFAULT_ALERT_DAYS = 7


def _lot_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"])


class FoodSettings(Base):
    """Per tenant: the expiry alert window and whether expired stock is written off."""

    __tablename__ = "food_settings"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    alert_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ALERT_DAYS)
    auto_write_off: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class FoodItemPolicy(Base):
    """An item picked FIFO instead of the default FEFO (or FEFO set explicitly)."""

    __tablename__ = "food_item_policy"
    __tenant_table__ = True
    __table_args__ = (ForeignKeyConstraint(["tenant_id", "item_id"], ["item.tenant_id", "item.id"],
                                           ondelete="CASCADE"),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    policy: Mapped[str] = mapped_column(String(4))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExpiryAlert(Base):
    """The day the daily scan first saw a lot expiring soon, or expired."""

    __tablename__ = "food_expiry_alert"
    __tenant_table__ = True
    __table_args__ = (_lot_fk(), UniqueConstraint("tenant_id", "lot_id", "kind"))

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    lot_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(8))
    expiry_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    raised_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()


class Batch(Base):
    """A production batch: components issued and one finished lot received, all in the
    ledger with reference ``("work_order", number)``."""

    __tablename__ = "food_batch"
    __tenant_table__ = True
    __table_args__ = (
        _lot_fk(),
        ForeignKeyConstraint(["tenant_id", "source_location_id"], ["location.tenant_id", "location.id"]),
        ForeignKeyConstraint(["tenant_id", "target_location_id"], ["location.tenant_id", "location.id"]),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "planned_order_id"),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    number: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    lot_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    batch_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="posted")
    source_location_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    target_location_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    planned_order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
