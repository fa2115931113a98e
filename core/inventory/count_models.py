"""Cycle-count tables (migration 0005): a count and its lines.

- ``CycleCount``: what is counted (a location with everything below it, and/or the
  items of an ABC class), its state (open → counted → posted | cancelled) and who moved
  it along when.
- ``CycleCountLine``: one (item, location, lot) to count. ``expected_qty`` is the book
  quantity snapshotted when the count was created; ``book_qty`` is the book quantity read
  in the same transaction as the counter's entry (stock may move between creation and
  counting), and the variance posted is ``counted_qty − book_qty``. ``move_id`` is the
  adjustment posted for the line, if any (the first move, for a serial line that posts
  several). Lines of serial-tracked items also keep the serials scanned
  (``counted_serials``) and the serials on the book there (``book_serials``, migration
  0114); each list's length is its quantity, which the database checks.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.catalog.models import MONEY, QTY
from core.orm import Base, created_at, tenant_fk, uuid_pk

COUNT_STATES = ("open", "counted", "posted", "cancelled")
ABC_CLASSES = ("A", "B", "C")
#: As long as ``serial_number.serial`` allows.
SERIAL_LENGTH = 64


class CycleCount(Base):
    __tablename__ = "cycle_count"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["location.tenant_id", "location.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    #: 1, 2, 3 … per tenant: what people call the count ("count 12").
    number: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    abc_class: Mapped[str | None] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    posted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))


class CycleCountLine(Base):
    __tablename__ = "cycle_count_line"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "count_id", "line_no"),
        UniqueConstraint("tenant_id", "count_id", "item_id", "location_id", "lot_id",
                         name="uq_cycle_count_line_key", postgresql_nulls_not_distinct=True),
        ForeignKeyConstraint(["tenant_id", "count_id"], ["cycle_count.tenant_id", "cycle_count.id"]),
        ForeignKeyConstraint(["tenant_id", "item_id"], ["item.tenant_id", "item.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["location.tenant_id", "location.id"]),
        ForeignKeyConstraint(["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"]),
        ForeignKeyConstraint(["tenant_id", "move_id"], ["stock_move.tenant_id", "stock_move.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    count_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    location_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    lot_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    #: A line the counter added for stock found where the book had none.
    found: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_qty: Mapped[Decimal] = mapped_column(QTY)
    book_qty: Mapped[Decimal | None] = mapped_column(QTY)
    counted_qty: Mapped[Decimal | None] = mapped_column(QTY)
    counted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    counted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The item's unit cost when the variance was valued (at posting).
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    move_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    #: Serial-tracked items: the serials the counter scanned (``counted_qty`` is their number).
    counted_serials: Mapped[list[str] | None] = mapped_column(ARRAY(String(SERIAL_LENGTH)))
    #: Serial-tracked items: the serials on the book at the location when the line was counted.
    book_serials: Mapped[list[str] | None] = mapped_column(ARRAY(String(SERIAL_LENGTH)))
