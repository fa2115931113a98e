"""Stock on hand: balances with what is reserved and available, per row and per item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import NotFound
from core.inventory.models import Lot, Reservation, StockBalance
from core.inventory.refs import find_location_ref, find_stock_item, subtree_ids


@dataclass(frozen=True)
class StockRow:
    item_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    location_code: str
    plant_id: uuid.UUID
    lot_id: uuid.UUID | None
    lot_code: str | None
    lot_status: str | None
    expiry_date: date | None
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


@dataclass(frozen=True)
class StockTotal:
    item_id: uuid.UUID
    sku: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


@dataclass(frozen=True)
class StockReport:
    items: list[StockRow]
    totals: list[StockTotal]
    total: int
    limit: int
    offset: int


def _reserved(tenant_id: uuid.UUID) -> Any:
    return (
        select(Reservation.item_id, Reservation.location_id, Reservation.lot_id,
               func.sum(Reservation.remaining).label("reserved"))
        .where(Reservation.tenant_id == tenant_id, Reservation.status == "open")
        .group_by(Reservation.item_id, Reservation.location_id, Reservation.lot_id)
        .subquery("reserved")
    )


def _conditions(session: Session, tenant_id: uuid.UUID, sku: str | None, location: str | None, lot: str | None,
                plant_id: uuid.UUID | None, include_zero: bool) -> list[Any]:
    conditions: list[Any] = [StockBalance.tenant_id == tenant_id]
    if sku:
        conditions.append(StockBalance.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id)
    if location:
        root = find_location_ref(session, tenant_id, location).id
        conditions.append(StockBalance.location_id.in_(subtree_ids(tenant_id, root)))
    if lot:
        conditions.append(Lot.code == lot)
    if plant_id:
        conditions.append(Location.plant_id == plant_id)
    if not include_zero:
        conditions.append(StockBalance.quantity != 0)
    return conditions


def stock_report(tenant_id: uuid.UUID, sku: str | None = None, location: str | None = None, lot: str | None = None,
                 plant_id: uuid.UUID | None = None, include_zero: bool = False, limit: int = 200,
                 offset: int = 0) -> StockReport:
    """Balances matching the filters (``location`` includes every location below it), with
    reserved and available quantities, and per item totals over all matching rows."""
    with db.tenant_session(tenant_id) as session:
        conditions = _conditions(session, tenant_id, sku, location, lot, plant_id, include_zero)
        reserved = _reserved(tenant_id)
        held = func.coalesce(reserved.c.reserved, 0)
        base = (
            select(StockBalance.item_id, Item.sku, StockBalance.location_id, Location.code, Location.plant_id,
                   StockBalance.lot_id, Lot.code, Lot.status, Lot.expiry_date, StockBalance.quantity, held,
                   StockBalance.quantity - held)
            .join(Item, and_(Item.tenant_id == StockBalance.tenant_id, Item.id == StockBalance.item_id))
            .join(Location, and_(Location.tenant_id == StockBalance.tenant_id,
                                 Location.id == StockBalance.location_id))
            .outerjoin(Lot, and_(Lot.tenant_id == StockBalance.tenant_id, Lot.id == StockBalance.lot_id))
            .outerjoin(reserved, and_(reserved.c.item_id == StockBalance.item_id,
                                      reserved.c.location_id == StockBalance.location_id,
                                      reserved.c.lot_id.is_not_distinct_from(StockBalance.lot_id)))
            .where(*conditions)
        )
        rows = [StockRow(*r) for r in session.execute(
            base.order_by(Item.sku, Location.code, Lot.received_at, Lot.code).limit(limit).offset(offset))]
        everything = base.subquery()
        columns = list(everything.c)
        totals = [StockTotal(*r) for r in session.execute(
            select(columns[0], columns[1], func.sum(columns[9]), func.sum(columns[10]), func.sum(columns[11]))
            .group_by(columns[0], columns[1]).order_by(columns[1]))]
        count = session.scalar(select(func.count()).select_from(everything)) or 0
        return StockReport(rows, totals, count, limit, offset)
