"""Planning tables: demand (sales orders, forecasts), firm MPS quantities, the planning
calendar of each plant, and the persisted results of every MRP run."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.orm import Base, created_at, tenant_fk, uuid_pk

QTY = Numeric(20, 6)


def _item_fk(column: str = "item_id") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["item.tenant_id", "item.id"])


def _plant_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "plant_id"], ["plant.tenant_id", "plant.id"])


class SalesOrder(Base):
    __tablename__ = "sales_order"
    __tenant_table__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "number"), _plant_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    plant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    number: Mapped[str] = mapped_column(String(64))
    customer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


class SalesOrderLine(Base):
    __tablename__ = "sales_order_line"
    __tenant_table__ = True
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["sales_order.tenant_id", "sales_order.id"],
                             ondelete="CASCADE"),
        _item_fk(),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    due_date: Mapped[date] = mapped_column(Date)


class BucketQuantity:
    """Columns of a quantity per (plant, item, bucket start): forecasts and firm receipts."""

    __tenant_table__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("tenant_id", "plant_id", "item_id", "period_start"), _item_fk(), _plant_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    plant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    period_start: Mapped[date] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(QTY)


class Forecast(BucketQuantity, Base):
    """Forecast quantity of an item for the bucket that starts on ``period_start``."""

    __tablename__ = "forecast"


class FirmPlannedReceipt(BucketQuantity, Base):
    """A planner-fixed MPS quantity (or a firmed planned order) due in a bucket."""

    __tablename__ = "firm_planned_receipt"

    created_at: Mapped[datetime] = created_at()


class PlanningCalendar(Base):
    """How a plant plans: bucket size, horizon, working days and time fences."""

    __tablename__ = "planning_calendar"
    __tenant_table__ = True
    __table_args__ = (_plant_fk(),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    plant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(8), default="week")
    horizon: Mapped[int] = mapped_column(Integer, default=26)
    working_days: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=lambda: [1, 2, 3, 4, 5])
    demand_time_fence: Mapped[int] = mapped_column(Integer, default=0)


class MrpRun(Base):
    __tablename__ = "mrp_run"
    __tenant_table__ = True
    __table_args__ = (_plant_fk(),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    plant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    start_date: Mapped[date] = mapped_column(Date)
    bucket: Mapped[str] = mapped_column(String(8))
    periods: Mapped[int] = mapped_column(Integer)
    period_starts: Mapped[list[date]] = mapped_column(ARRAY(Date))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _run_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "run_id"], ["mrp_run.tenant_id", "mrp_run.id"],
                                ondelete="CASCADE")


class PlannedOrder(Base):
    __tablename__ = "planned_order"
    __tenant_table__ = True
    __table_args__ = (_run_fk(), _item_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    release_period: Mapped[int] = mapped_column(Integer)
    receipt_period: Mapped[int] = mapped_column(Integer)
    release_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    pegging: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(8), default="planned")
    source: Mapped[str] = mapped_column(String(32), default="mrp")
    firmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PlanException(Base):
    __tablename__ = "plan_exception"
    __tenant_table__ = True
    __table_args__ = (_run_fk(), _item_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class MrpRecord(Base):
    """The time-phased record of one item in one run (arrays as in the plan output)."""

    __tablename__ = "mrp_record"
    __tenant_table__ = True
    __table_args__ = (_run_fk(), _item_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    run_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    low_level_code: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JSONB)


def item_of(model: Any) -> Any:
    """Join condition from a planning row to its item (tenant-qualified, as every join is)."""
    from core.catalog.models import Item

    return (Item.tenant_id == model.tenant_id) & (Item.id == model.item_id)


def order_of_line() -> Any:
    """Join condition from a sales order line to its order."""
    return (SalesOrder.tenant_id == SalesOrderLine.tenant_id) & (SalesOrder.id == SalesOrderLine.order_id)
