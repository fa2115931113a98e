"""What planning reads from inventory: stock by lot, on hand and reserved per item.

These run inside the caller's session (the MRP adapter's transaction) and filter by
tenant explicitly. ``plant_id`` restricts to the locations of one plant. On hand counts
every lot whatever its status; planning decides (through its hooks) which lots are not
supply — :func:`stock_by_lot` gives the status and expiry date to decide with.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.catalog.models import Location
from core.inventory.models import Lot, Reservation, StockBalance


@dataclass(frozen=True)
class LotStock:
    """A non-zero balance: item, lot (None for untracked items), location and quantity.

    ``status`` is the lot's status, or ``available`` for stock without a lot.
    """

    item_id: uuid.UUID
    lot_id: uuid.UUID | None
    lot_code: str | None
    status: str
    expiry_date: date | None
    location_id: uuid.UUID
    quantity: Decimal


def _in_plant(model: Any, tenant_id: uuid.UUID, plant_id: uuid.UUID | None) -> list[Any]:
    if plant_id is None:
        return []
    return [model.location_id.in_(select(Location.id).where(Location.tenant_id == tenant_id,
                                                             Location.plant_id == plant_id))]


def stock_by_lot(session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID | None = None) -> list[LotStock]:
    """Every non-zero balance with its lot's status and expiry (ordered by item, expiry)."""
    rows = session.execute(
        select(StockBalance.item_id, StockBalance.lot_id, Lot.code, func.coalesce(Lot.status, "available"),
               Lot.expiry_date, StockBalance.location_id, StockBalance.quantity)
        .outerjoin(Lot, and_(Lot.tenant_id == StockBalance.tenant_id, Lot.id == StockBalance.lot_id))
        .where(StockBalance.tenant_id == tenant_id, StockBalance.quantity != 0,
               *_in_plant(StockBalance, tenant_id, plant_id))
        .order_by(StockBalance.item_id, Lot.expiry_date.nulls_last(), Lot.code, StockBalance.location_id)
    )
    return [LotStock(*row) for row in rows]


def on_hand_by_item(
    session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID | None = None
) -> dict[uuid.UUID, Decimal]:
    """Quantity on hand per item (items with stock only)."""
    rows = session.execute(
        select(StockBalance.item_id, func.sum(StockBalance.quantity))
        .where(StockBalance.tenant_id == tenant_id, *_in_plant(StockBalance, tenant_id, plant_id))
        .group_by(StockBalance.item_id)
        .having(func.sum(StockBalance.quantity) != 0)
    )
    return {item_id: quantity for item_id, quantity in rows}


def reserved_by_item(
    session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID | None = None
) -> dict[uuid.UUID, Decimal]:
    """Quantity still held by open reservations per item."""
    rows = session.execute(
        select(Reservation.item_id, func.sum(Reservation.remaining))
        .where(Reservation.tenant_id == tenant_id, Reservation.status == "open",
               *_in_plant(Reservation, tenant_id, plant_id))
        .group_by(Reservation.item_id)
        .having(func.sum(Reservation.remaining) > 0)
    )
    return {item_id: quantity for item_id, quantity in rows}
