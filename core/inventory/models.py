"""Inventory ledger tables (migration 0004). Other inventory features build on these.

- ``StockMove``: the ledger. Append-only (the database refuses UPDATE and DELETE); a
  mistake is undone by a reversing move (``reverses_move_id``). ``seq`` orders moves.
- ``StockBalance``: quantity on hand per (item, location, lot), written in the same
  transaction as the move; the row every concurrent posting serializes on.
- ``Lot`` and ``SerialNumber``: lot master data and where each serial unit is now.
- ``Reservation``: open reservations with their remaining quantity; availability is
  always on hand minus the open reservations, computed, never cached.
- ``CostLayer`` / ``CostLayerUse``: FIFO receipt layers and which outbound move took
  what from which layer (append-only, so reversals restore the exact layers).
- ``ItemValuation``: per item, the quantity and value of the whole stock and the last
  unit cost; the row that serializes valuation of one item.
- ``InventorySettings``: per tenant valuation method and holding rate.

Quantities and money are ``NUMERIC(20, 6)``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.catalog.models import MONEY, QTY
from core.orm import Base, created_at, tenant_fk, uuid_pk

#: Kinds of move. Where stock comes from and goes to: receipt → to; issue, scrap → from;
#: transfer → from and to; adjustment → to (a gain) or from (a loss), never both.
MOVE_KINDS = ("receipt", "issue", "transfer", "adjustment", "scrap")
LOT_STATUSES = ("available", "quarantine", "rejected", "expired")
VALUATION_METHODS = ("fifo", "moving_average")


def _item_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "item_id"], ["item.tenant_id", "item.id"])


def _location_fk(column: str = "location_id") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], ["location.tenant_id", "location.id"])


def _lot_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"]
    )


def _uuid(nullable: bool = False) -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), nullable=nullable)


def _stamp() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class InventorySettings(Base):
    """Per tenant: ``valuation_method`` (fifo | moving_average), ``holding_rate_per_year``."""

    __tablename__ = "inventory_settings"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    valuation_method: Mapped[str] = mapped_column(String(16))
    holding_rate_per_year: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = _stamp()


class Lot(Base):
    """A lot of one item: code unique per (tenant, item), status, expiry and who changed it."""

    __tablename__ = "lot"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_id", "code"),
        UniqueConstraint("tenant_id", "item_id", "id"),
        _item_fk(),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    item_id: Mapped[uuid.UUID] = _uuid()
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="available")
    expiry_date: Mapped[date | None] = mapped_column(Date)
    supplier_lot: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = _stamp()
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = _stamp()
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_changed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Reservation(Base):
    """Quantity promised at one (item, location, lot); ``remaining`` drops as issues consume it."""

    __tablename__ = "reservation"
    __tenant_table__ = True
    __table_args__ = (_item_fk(), _location_fk(), _lot_fk())

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    item_id: Mapped[uuid.UUID] = _uuid()
    location_id: Mapped[uuid.UUID] = _uuid()
    lot_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    remaining: Mapped[Decimal] = mapped_column(QTY)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reference_type: Mapped[str | None] = mapped_column(String(32))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    closed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StockMove(Base):
    """One posted movement of stock. Never updated or deleted (the database refuses)."""

    __tablename__ = "stock_move"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "reverses_move_id"),
        _item_fk(), _lot_fk(), _location_fk("from_location_id"), _location_fk("to_location_id"),
        ForeignKeyConstraint(["tenant_id", "reservation_id"], ["reservation.tenant_id", "reservation.id"]),
        ForeignKeyConstraint(["tenant_id", "reverses_move_id"], ["stock_move.tenant_id", "stock_move.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk(references_tenant=False)
    id: Mapped[uuid.UUID] = uuid_pk()
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    #: The first move posted by the same request (an issue split over several lots).
    batch_id: Mapped[uuid.UUID] = _uuid()
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[uuid.UUID] = _uuid()
    quantity: Mapped[Decimal] = mapped_column(QTY)
    from_location_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    to_location_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    lot_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    serials: Mapped[list[str] | None] = mapped_column(ARRAY(String(64)))
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    #: Value that entered (inbound) or left (outbound) the stock; 0 for transfers.
    total_cost: Mapped[Decimal] = mapped_column(MONEY)
    #: Inbound moves that settle negative stock: the part of total_cost charged to COGS.
    cost_variance: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str | None] = mapped_column(String(200))
    reference_type: Mapped[str | None] = mapped_column(String(32))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    reverses_move_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    posted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    posted_at: Mapped[datetime] = _stamp()


class StockBalance(Base):
    """On hand per (item, location, lot); ``lot_id`` NULL for untracked and serial items."""

    __tablename__ = "stock_balance"
    __tenant_table__ = True
    __table_args__ = (
        UniqueConstraint("tenant_id", "item_id", "location_id", "lot_id", name="uq_stock_balance_key",
                         postgresql_nulls_not_distinct=True),
        _item_fk(), _location_fk(), _lot_fk(),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    item_id: Mapped[uuid.UUID] = _uuid()
    location_id: Mapped[uuid.UUID] = _uuid()
    lot_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    updated_at: Mapped[datetime] = _stamp()


class SerialNumber(Base):
    """One serial unit: one row per (tenant, item, serial), so it is in one place only.

    ``location_id`` is where it is now, NULL once it left the stock (issued, scrapped);
    ``last_move_id`` is the move that put it there.
    """

    __tablename__ = "serial_number"
    __tenant_table__ = True
    __table_args__ = (
        _item_fk(), _location_fk(),
        ForeignKeyConstraint(["tenant_id", "last_move_id"], ["stock_move.tenant_id", "stock_move.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), primary_key=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    last_move_id: Mapped[uuid.UUID] = _uuid()
    updated_at: Mapped[datetime] = _stamp()


class CostLayer(Base):
    """A FIFO layer: what an inbound move added at which cost, and how much of it is left."""

    __tablename__ = "cost_layer"
    __tenant_table__ = True
    __table_args__ = (
        _item_fk(),
        ForeignKeyConstraint(["tenant_id", "move_id"], ["stock_move.tenant_id", "stock_move.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk(references_tenant=False)
    id: Mapped[uuid.UUID] = uuid_pk()
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    item_id: Mapped[uuid.UUID] = _uuid()
    move_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    remaining: Mapped[Decimal] = mapped_column(QTY)
    remaining_value: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = created_at()


class CostLayerUse(Base):
    """What one outbound move took from one layer (append-only, like the ledger)."""

    __tablename__ = "cost_layer_use"
    __tenant_table__ = True
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "move_id"], ["stock_move.tenant_id", "stock_move.id"]),
        ForeignKeyConstraint(["tenant_id", "layer_id"], ["cost_layer.tenant_id", "cost_layer.id"]),
    )

    tenant_id: Mapped[uuid.UUID] = tenant_fk(references_tenant=False)
    move_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    layer_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    value: Mapped[Decimal] = mapped_column(MONEY)


class ItemValuation(Base):
    """Per item: quantity and value of all its stock (may go negative), last unit cost."""

    __tablename__ = "item_valuation"
    __tenant_table__ = True
    __table_args__ = (_item_fk(),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    item_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    method: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    value: Mapped[Decimal] = mapped_column(MONEY)
    last_unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = _stamp()
