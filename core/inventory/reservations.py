"""Reservations: stock promised to a document at one (item, location, lot).

The truth is the reservation rows themselves, each with what it still holds
(``remaining``); nothing else caches them, so availability can never drift from them:
``available = on hand − Σ remaining of open reservations`` at the same (item, location,
lot). Making a reservation locks that balance row, so it serializes with postings.

Rules: a reservation needs that much available stock (409 otherwise, also for items that
allow negative stock). A reservation of a lot-tracked item without a lot is pinned to one
lot: the first, in ``choose_lots`` order (default first received first), that can hold
all of it. An issue naming the reservation consumes it (partly or fully); an issue
without one can take only unreserved stock. Releasing frees what is left. Reversing an
issue does not re-open the reservation it consumed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import Conflict, InvalidInput, NotFound
from core.inventory.balances import lock_balance, reserved_at
from core.inventory.errors import InsufficientStock
from core.inventory.lot_allocation import lot_candidates
from core.inventory.lots import find_lot_ref, refuse_unusable
from core.inventory.models import Lot, Reservation
from core.inventory.move_input import amount, text
from core.inventory.move_types import DocumentRef, LotRef
from core.inventory.refs import LocationRef, StockItem, find_location_ref, find_stock_item, resolve_locations
from core.plugins import call_first_hook

STATUSES = ("open", "released", "consumed")


@dataclass(frozen=True)
class ReservationRequest:
    """What to reserve: ``location`` by id or code; ``lot`` only for lot-tracked items."""

    sku: str
    location: str
    quantity: Decimal
    lot: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None


@dataclass(frozen=True)
class ReservationView:
    id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID | None
    lot_code: str | None
    quantity: Decimal
    remaining: Decimal
    status: str
    reference: DocumentRef | None
    created_by: uuid.UUID | None
    created_at: datetime
    closed_by: uuid.UUID | None
    closed_at: datetime | None


def _views(session: Session, conditions: list[Any], limit: int | None = None, offset: int = 0) -> list[ReservationView]:
    query = (
        select(Reservation, Item.sku, Location.code, Lot.code)
        .join(Item, (Item.tenant_id == Reservation.tenant_id) & (Item.id == Reservation.item_id))
        .join(Location, (Location.tenant_id == Reservation.tenant_id) & (Location.id == Reservation.location_id))
        .outerjoin(Lot, (Lot.tenant_id == Reservation.tenant_id) & (Lot.id == Reservation.lot_id))
        .where(*conditions).order_by(Reservation.created_at.desc(), Reservation.id).offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    views = []
    for r, sku, location, lot in session.execute(query.execution_options(populate_existing=True)):
        reference = DocumentRef(r.reference_type, r.reference_id) if r.reference_type and r.reference_id else None
        views.append(ReservationView(r.id, r.item_id, sku, r.location_id, location, r.lot_id, lot, r.quantity,
                                     r.remaining, r.status, reference, r.created_by, r.created_at,
                                     r.closed_by, r.closed_at))
    return views


def _one(session: Session, tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> ReservationView:
    found = _views(session, [Reservation.tenant_id == tenant_id, Reservation.id == reservation_id])
    if not found:
        raise NotFound(f"no reservation {reservation_id}", "reservation_id")
    return found[0]


def _pin_lot(session: Session, tenant_id: uuid.UUID, item: StockItem, location: LocationRef,
             quantity: Decimal) -> LotRef:
    candidates = lot_candidates(session, tenant_id, item.id, location.id, date.today())
    answer = call_first_hook(session, tenant_id, "choose_lots", tenant_id=tenant_id, item=item,
                             location=location, quantity=quantity, candidates=candidates, session=session)
    preferred = [lot_id for lot_id, _ in answer or []]
    ordered = sorted(candidates, key=lambda c: preferred.index(c.lot_id) if c.lot_id in preferred else len(preferred))
    for candidate in ordered:
        if candidate.available >= quantity:
            return candidate.ref()
    best = max((c.available for c in candidates), default=Decimal(0))
    raise InsufficientStock(item.sku, location.code, None, best, quantity)


def _lot(session: Session, tenant_id: uuid.UUID, item: StockItem, location: LocationRef,
         code: str | None, quantity: Decimal) -> LotRef | None:
    if item.tracking != "lot":
        if code is not None:
            raise InvalidInput(f"item {item.sku} is not lot-tracked: give no lot", "lot")
        return None
    if code is None:
        return _pin_lot(session, tenant_id, item, location, quantity)
    lot = find_lot_ref(session, tenant_id, item.id, code)
    if lot is None:
        raise InvalidInput(f"item {item.sku} has no lot {code!r}", "lot")
    refuse_unusable(lot, "reservation", date.today())
    return lot


def create_reservation(tenant_id: uuid.UUID, request: ReservationRequest, user_id: uuid.UUID | None) -> ReservationView:
    """Reserve available stock for a document; 409 naming what is available otherwise."""
    with db.tenant_session(tenant_id, user_id) as session:
        return reserve(session, tenant_id, request, user_id)


def reserve(session: Session, tenant_id: uuid.UUID, request: ReservationRequest,
            user_id: uuid.UUID | None) -> ReservationView:
    """:func:`create_reservation` inside the caller's transaction (for other services).

    A refusal raises before anything is written; a caller that goes on after one wraps
    the call in a savepoint (``session.begin_nested()``).
    """
    sku = text(request.sku, "sku", 64, required=True) or ""
    location_ref = text(request.location, "location", 64, required=True) or ""
    quantity = amount(request.quantity, "quantity")
    reference = (text(request.reference_type, "reference", 32), text(request.reference_id, "reference", 64))
    if (reference[0] is None) != (reference[1] is None):
        raise InvalidInput("reference needs both type and id", "reference")
    item = find_stock_item(session, tenant_id, sku)
    location = resolve_locations(session, tenant_id, {"location": location_ref})["location"]
    if item.tracking == "serial" and quantity != quantity.to_integral_value():
        raise InvalidInput("serial-tracked items are reserved in whole units", "quantity")
    lot = _lot(session, tenant_id, item, location, text(request.lot, "lot", 64), quantity)
    key = (location.id, lot.id if lot else None)
    on_hand = lock_balance(session, tenant_id, item.id, key)
    available = on_hand - reserved_at(session, tenant_id, item.id, [key]).get(key, Decimal(0))
    if quantity > available:
        raise InsufficientStock(item.sku, location.code, lot.code if lot else None,
                                max(available, Decimal(0)), quantity)
    row = Reservation(tenant_id=tenant_id, id=uuid.uuid4(), item_id=item.id, location_id=location.id,
                      lot_id=key[1], quantity=quantity, remaining=quantity, status="open",
                      reference_type=reference[0], reference_id=reference[1], created_by=user_id)
    session.add(row)
    session.flush()
    return _one(session, tenant_id, row.id)


def release_reservation(tenant_id: uuid.UUID, reservation_id: uuid.UUID, user_id: uuid.UUID | None) -> ReservationView:
    """Free what an open reservation still holds; 409 when it is no longer open."""
    with db.tenant_session(tenant_id, user_id) as session:
        return release(session, tenant_id, reservation_id, user_id)


def release(session: Session, tenant_id: uuid.UUID, reservation_id: uuid.UUID,
            user_id: uuid.UUID | None) -> ReservationView:
    """:func:`release_reservation` inside the caller's transaction (for other services)."""
    status = session.scalar(select(Reservation.status).where(
        Reservation.tenant_id == tenant_id, Reservation.id == reservation_id).with_for_update())
    if status is None:
        raise NotFound(f"no reservation {reservation_id}", "reservation_id")
    if status != "open":
        raise Conflict(f"the reservation is already {status}", "reservation_id")
    session.execute(update(Reservation).where(
        Reservation.tenant_id == tenant_id, Reservation.id == reservation_id,
    ).values(status="released", closed_by=user_id, closed_at=func.now()))
    return _one(session, tenant_id, reservation_id)


def get_reservation(tenant_id: uuid.UUID, reservation_id: uuid.UUID) -> ReservationView:
    """One reservation."""
    with db.tenant_session(tenant_id) as session:
        return _one(session, tenant_id, reservation_id)


def list_reservations(
    tenant_id: uuid.UUID, sku: str | None = None, location: str | None = None, status: str | None = None,
    reference_type: str | None = None, reference_id: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[ReservationView], int]:
    """A page of reservations, newest first, and how many match."""
    with db.tenant_session(tenant_id) as session:
        conditions: list[Any] = [Reservation.tenant_id == tenant_id]
        if sku:
            conditions.append(Reservation.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id)
        if location:
            conditions.append(Reservation.location_id == find_location_ref(session, tenant_id, location).id)
        if status:
            if status not in STATUSES:
                raise InvalidInput(f"status must be one of: {', '.join(STATUSES)}", "status")
            conditions.append(Reservation.status == status)
        if reference_type:
            conditions.append(Reservation.reference_type == reference_type)
        if reference_id:
            conditions.append(Reservation.reference_id == reference_id)
        total = session.scalar(select(func.count()).select_from(Reservation).where(*conditions)) or 0
        return _views(session, conditions, limit, offset), total


@dataclass(frozen=True)
class HeldReservation:
    """An open reservation an issue consumes."""

    id: uuid.UUID
    lot_id: uuid.UUID | None


def reservation_for_issue(session: Session, tenant_id: uuid.UUID, reservation_id: uuid.UUID,
                          item: StockItem, source: LocationRef, lot_code: str | None) -> HeldReservation:
    """Check that the reservation fits the issue (422 naming the field, 409 when closed)."""
    row = session.execute(select(Reservation.item_id, Reservation.location_id, Reservation.lot_id,
                                 Reservation.status, Lot.code)
                          .outerjoin(Lot, (Lot.tenant_id == Reservation.tenant_id) & (Lot.id == Reservation.lot_id))
                          .where(Reservation.tenant_id == tenant_id, Reservation.id == reservation_id)).first()
    if row is None:
        raise InvalidInput(f"no reservation {reservation_id}", "reservation_id")
    item_id, location_id, lot_id, status, code = row
    if status != "open":
        raise Conflict(f"the reservation is already {status}", "reservation_id")
    if item_id != item.id:
        raise InvalidInput("the reservation is for another item", "reservation_id")
    if location_id != source.id:
        raise InvalidInput("the reservation is at another location than from_location", "from_location")
    if lot_code is not None and code != lot_code:
        raise InvalidInput(f"the reservation holds lot {code!r}, not {lot_code!r}", "lot")
    return HeldReservation(reservation_id, lot_id)


def consume(session: Session, tenant_id: uuid.UUID, reservation_id: uuid.UUID, quantity: Decimal,
            user_id: uuid.UUID | None) -> Decimal:
    """Take up to ``quantity`` from the reservation (locked); return how much it gave."""
    row = session.execute(select(Reservation.remaining, Reservation.status).where(
        Reservation.tenant_id == tenant_id, Reservation.id == reservation_id).with_for_update()).one()
    remaining, status = row
    if status != "open":
        raise Conflict(f"the reservation is already {status}", "reservation_id")
    taken = min(quantity, remaining)
    left = remaining - taken
    values: dict[str, Any] = {"remaining": left}
    if left == 0:
        values.update(status="consumed", closed_by=user_id, closed_at=func.now())
    session.execute(update(Reservation).where(
        Reservation.tenant_id == tenant_id, Reservation.id == reservation_id).values(**values))
    return taken
