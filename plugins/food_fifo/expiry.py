"""Expiry: the issue rule, the daily scan and the alerts.

- An issue of a lot past its expiry date is refused, naming the lot and the date, unless
  the move's reason is spoilage (the way a spoiled lot leaves the books).
- The daily scan marks lots past their date ``expired``, records an alert the first
  time a lot comes within the tenant's window (or expires) and, where the tenant
  chose it, writes expired stock off: a scrap move per lot and location with reason
  ``spoilage`` whose idempotency key names the lot, the location and the day, so a
  second run of the same day posts nothing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core import db
from core.alerts import Alert
from core.catalog.models import Item, Location
from core.errors import DomainError
from core.inventory.models import Lot, StockBalance
from core.inventory.move_types import MoveRequest, PlannedMove
from core.inventory.posting import post_move
from plugins.food_fifo.models import ExpiryAlert
from plugins.food_fifo.settings import read_settings

SPOILAGE = "spoilage"
_SPOILAGE = re.compile(r"\s*spoilage\b", re.IGNORECASE)
MAX_ALERTS = 20


def is_spoilage(reason: str | None) -> bool:
    """Whether a move's reason says spoilage ("spoilage", "Spoilage: mould", …)."""
    return bool(reason and _SPOILAGE.match(reason))


def refuse_expired_issue(move: PlannedMove, today: date) -> list[str]:
    """The ``before_post_move`` rule: no issue of a lot past its date but for spoilage."""
    lot = move.lot
    if move.kind != "issue" or move.direction != "out" or lot is None or lot.expiry_date is None:
        return []
    if lot.expiry_date >= today or is_spoilage(move.reason):
        return []
    return [f"lot {lot.code} of {move.item.sku} expired on {lot.expiry_date.isoformat()}: it cannot be "
            f"issued (write it off with reason {SPOILAGE})"]


@dataclass(frozen=True)
class LotOnHand:
    """A lot with stock, for alerts and the expiry page."""

    lot_id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    code: str
    status: str
    expiry_date: date
    on_hand: Decimal

    def days_left(self, today: date) -> int:
        return (self.expiry_date - today).days


def lots_expiring(session: Session, tenant_id: uuid.UUID, until: date) -> list[LotOnHand]:
    """Lots with stock on hand whose expiry date is ``until`` or earlier, soonest first."""
    on_hand = func.sum(StockBalance.quantity)
    rows = session.execute(
        select(Lot.id, Lot.item_id, Item.sku, Lot.code, Lot.status, Lot.expiry_date, on_hand)
        .join(Item, (Item.tenant_id == Lot.tenant_id) & (Item.id == Lot.item_id))
        .join(StockBalance, (StockBalance.tenant_id == Lot.tenant_id) & (StockBalance.lot_id == Lot.id))
        .where(Lot.tenant_id == tenant_id, Lot.expiry_date <= until)
        .group_by(Lot.id, Lot.item_id, Item.sku, Lot.code, Lot.status, Lot.expiry_date)
        .having(on_hand > 0).order_by(Lot.expiry_date, Item.sku, Lot.code))
    return [LotOnHand(*row) for row in rows]


def _raise_alert(session: Session, tenant_id: uuid.UUID, lot: LotOnHand, kind: str, today: date) -> int:
    inserted = session.execute(insert(ExpiryAlert).values(
        tenant_id=tenant_id, id=uuid.uuid4(), item_id=lot.item_id, lot_id=lot.lot_id, kind=kind,
        expiry_date=lot.expiry_date, quantity=lot.on_hand, raised_on=today,
    ).on_conflict_do_nothing().returning(ExpiryAlert.id)).first()
    return 1 if inserted else 0


def _expire(session: Session, tenant_id: uuid.UUID, today: date) -> int:
    """Mark every available lot past its date ``expired`` (with or without stock)."""
    lots = session.scalars(select(Lot).where(Lot.tenant_id == tenant_id, Lot.status == "available",
                                             Lot.expiry_date < today).with_for_update()).all()
    for lot in lots:
        lot.status, lot.status_changed_at, lot.updated_at = "expired", func.now(), func.now()
    session.flush()
    return len(lots)


def _write_off(session: Session, tenant_id: uuid.UUID, lot: LotOnHand, today: date) -> tuple[int, list[str]]:
    """Scrap the lot's stock everywhere with reason spoilage; (moves posted, refusals)."""
    places = session.execute(select(StockBalance.location_id, Location.code, StockBalance.quantity).join(
        Location, (Location.tenant_id == StockBalance.tenant_id) & (Location.id == StockBalance.location_id))
        .where(StockBalance.tenant_id == tenant_id, StockBalance.lot_id == lot.lot_id, StockBalance.quantity > 0)
        .order_by(Location.code)).all()
    posted, refused = 0, []
    for location_id, code, quantity in places:
        request = MoveRequest(kind="scrap", sku=str(lot.item_id), quantity=quantity, from_location=str(location_id),
                              lot=lot.code, reason=SPOILAGE, reference_type="expiry_scan",
                              reference_id=today.isoformat(),
                              idempotency_key=f"food-spoilage:{lot.lot_id}:{location_id}:{today.isoformat()}")
        try:
            posted += int(post_move(session, tenant_id, request).created)
        except DomainError as refusal:  # e.g. the stock is reserved: a person decides
            refused.append(f"lot {lot.code} at {code}: {refusal.message}")
    return posted, refused


def daily_expiry_scan(session: Session, tenant_id: uuid.UUID, today: date) -> dict[str, Any]:
    """The day's expiry housekeeping (idempotent); a summary for the job's result."""
    settings = read_settings(session, tenant_id)
    expired_now = _expire(session, tenant_id, today)
    window = lots_expiring(session, tenant_id, today + timedelta(days=settings.alert_days))
    raised = written_off = 0
    refusals: list[str] = []
    for lot in window:
        if lot.expiry_date < today:
            raised += _raise_alert(session, tenant_id, lot, "expired", today)
            if settings.auto_write_off and lot.status == "expired":
                posted, refused = _write_off(session, tenant_id, lot, today)
                written_off += posted
                refusals.extend(refused)
        elif lot.status == "available":
            raised += _raise_alert(session, tenant_id, lot, "expiring", today)
    return {"plugin": "food_fifo", "lots_expired": expired_now, "alerts_raised": raised,
            "spoilage_moves": written_off, "not_written_off": refusals}


def expiry_alerts(session: Session, tenant_id: uuid.UUID, today: date) -> list[Alert]:
    """Dashboard alerts: expired lots still on hand, then lots expiring within the window."""
    settings = read_settings(session, tenant_id)
    alerts = []
    for lot in lots_expiring(session, tenant_id, today + timedelta(days=settings.alert_days))[:MAX_ALERTS]:
        days = lot.days_left(today)
        if days < 0:
            alerts.append(Alert("critical", f"Lot {lot.code} of {lot.sku} expired on {lot.expiry_date}",
                                f"{lot.on_hand.normalize():f} still on hand: write it off as spoilage",
                                "/app/food/expiry", source="food_fifo"))
        elif lot.status == "available":
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            alerts.append(Alert("warning", f"Lot {lot.code} of {lot.sku} expires {when} ({lot.expiry_date})",
                                f"{lot.on_hand.normalize():f} on hand: use it first", "/app/food/expiry",
                                source="food_fifo"))
    return alerts


@dataclass(frozen=True)
class ExpiryReport:
    today: date
    alert_days: int
    lots: list[LotOnHand]


def expiry_report(tenant_id: uuid.UUID, today: date | None = None) -> ExpiryReport:
    """Lots on hand that are expired or expire within the tenant's window."""
    day = today or date.today()
    with db.tenant_session(tenant_id) as session:
        days = read_settings(session, tenant_id).alert_days
        return ExpiryReport(day, days, lots_expiring(session, tenant_id, day + timedelta(days=days)))
