"""Which lots an outbound move of a lot-tracked item takes when no lot is named.

The candidates are the item's lots at the location that are ``available``, not past
their expiry date and have available quantity (on hand minus open reservations). The
``choose_lots`` hook (first answer wins) may order and size the allocation, e.g. FEFO
for food; without an answer the default is FIFO: first received first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.inventory.errors import InsufficientStock
from core.inventory.models import Lot, Reservation, StockBalance
from core.inventory.move_types import LotRef
from core.inventory.refs import LocationRef, StockItem
from core.plugins import call_first_hook


@dataclass(frozen=True)
class LotCandidate:
    """A lot ``choose_lots`` may allocate from, with the quantity available there."""

    lot_id: uuid.UUID
    code: str
    status: str
    expiry_date: date | None
    received_at: datetime
    available: Decimal

    def ref(self) -> LotRef:
        return LotRef(self.lot_id, self.code, self.status, self.expiry_date, self.received_at)


def lot_candidates(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, location_id: uuid.UUID,
                   today: date) -> list[LotCandidate]:
    """Usable lots of the item at the location, first received first."""
    reserved = (
        select(func.coalesce(func.sum(Reservation.remaining), 0))
        .where(Reservation.tenant_id == tenant_id, Reservation.item_id == item_id,
               Reservation.location_id == location_id, Reservation.lot_id == Lot.id,
               Reservation.status == "open")
        .scalar_subquery()
    )
    available = StockBalance.quantity - reserved
    rows = session.execute(
        select(Lot.id, Lot.code, Lot.status, Lot.expiry_date, Lot.received_at, available)
        .join(StockBalance, and_(StockBalance.tenant_id == Lot.tenant_id, StockBalance.lot_id == Lot.id,
                                 StockBalance.item_id == item_id, StockBalance.location_id == location_id))
        .where(Lot.tenant_id == tenant_id, Lot.item_id == item_id, Lot.status == "available",
               (Lot.expiry_date.is_(None)) | (Lot.expiry_date >= today), available > 0)
        .order_by(Lot.received_at, Lot.code)
    )
    return [LotCandidate(*row) for row in rows]


def first_received_first(candidates: list[LotCandidate], quantity: Decimal) -> list[tuple[uuid.UUID, Decimal]]:
    """The default allocation: take the oldest lots first."""
    left, chosen = quantity, []
    for candidate in candidates:
        if left <= 0:
            break
        take = min(left, candidate.available)
        chosen.append((candidate.lot_id, take))
        left -= take
    return chosen


def _checked(answer: Any, candidates: list[LotCandidate], quantity: Decimal) -> list[tuple[LotRef, Decimal]]:
    by_id = {c.lot_id: c for c in candidates}
    result: list[tuple[LotRef, Decimal]] = []
    for entry in answer:
        lot_id, amount = entry
        candidate = by_id.get(lot_id)
        if candidate is None or not isinstance(amount, Decimal) or amount <= 0 or amount > candidate.available:
            raise Conflict(f"a plugin allocated {amount} from lot {lot_id}, which is not available", "lot")
        result.append((candidate.ref(), amount))
    if sum((a for _, a in result), Decimal(0)) != quantity:
        raise Conflict("a plugin's lot allocation does not add up to the quantity", "lot")
    return result


def allocate_lots(session: Session, tenant_id: uuid.UUID, item: StockItem, location: LocationRef,
                  quantity: Decimal, today: date) -> list[tuple[LotRef, Decimal]]:
    """Lots and quantities for an outbound move without a lot (409 when they do not suffice)."""
    candidates = lot_candidates(session, tenant_id, item.id, location.id, today)
    total = sum((c.available for c in candidates), Decimal(0))
    if total < quantity:
        raise InsufficientStock(item.sku, location.code, None, total, quantity)
    answer = call_first_hook(session, tenant_id, "choose_lots", tenant_id=tenant_id, item=item,
                             location=location, quantity=quantity, candidates=candidates, session=session)
    if answer is None:
        answer = first_received_first(candidates, quantity)
    return _checked(answer, candidates, quantity)
