"""Lots: created by the first inbound move that names them, read, re-graded and traced.

A lot code is unique per (tenant, item); the same code may exist for two items, so a
lot addressed by code alone is ambiguous then (422 asking for ``sku``). A lot can also
be addressed by its id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import Conflict, InvalidInput, NotFound
from core.inventory.models import LOT_STATUSES, Lot, StockBalance
from core.inventory.move_queries import moves_where
from core.inventory.move_types import LotRef, MoveView
from core.inventory.refs import StockItem, as_uuid, find_stock_item
from core.plugins import call_first_hook, call_hook

_LOT_COLUMNS = (Lot.id, Lot.code, Lot.status, Lot.expiry_date, Lot.received_at)


def find_lot_ref(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, code: str) -> LotRef | None:
    """The item's lot with this code, or None."""
    row = session.execute(select(*_LOT_COLUMNS).where(
        Lot.tenant_id == tenant_id, Lot.item_id == item_id, Lot.code == code)).first()
    return LotRef(*row) if row else None


def lot_for_inbound(
    session: Session, tenant_id: uuid.UUID, item: StockItem, code: str,
    expiry_date: date | None, supplier_lot: str | None, user_id: uuid.UUID | None,
) -> LotRef:
    """The lot an inbound move puts stock into, created on first use.

    A new lot takes ``expiry_date`` (default: today + the item's shelf life) and
    ``supplier_lot``, and starts ``available`` unless an enabled plugin's
    ``initial_lot_status`` says otherwise (a pharma lab quarantines it). An existing lot
    keeps its own: a different expiry date given for it is refused (422), so one lot never
    carries two dates.
    """
    existing = find_lot_ref(session, tenant_id, item.id, code)
    if existing is None:
        expiry = expiry_date or item.default_expiry(date.today())
        status = call_first_hook(session, tenant_id, "initial_lot_status", tenant_id=tenant_id, item=item,
                                 lot_code=code, session=session) or "available"
        if status not in LOT_STATUSES:
            raise Conflict(f"a plugin gave lot {code!r} the unknown status {status!r}", "lot")
        session.execute(insert(Lot).values(
            tenant_id=tenant_id, id=uuid.uuid4(), item_id=item.id, code=code, status=status,
            expiry_date=expiry, supplier_lot=supplier_lot, updated_by=user_id,
        ).on_conflict_do_nothing())
        existing = find_lot_ref(session, tenant_id, item.id, code)
        assert existing is not None  # inserted now or by a concurrent posting
    elif expiry_date is not None and existing.expiry_date != expiry_date:
        raise InvalidInput(f"lot {code!r} already exists with expiry date "
                           f"{existing.expiry_date or 'none'}", "expiry_date")
    return existing


@dataclass(frozen=True)
class LotView:
    id: uuid.UUID
    item_id: uuid.UUID
    sku: str
    code: str
    status: str
    expiry_date: date | None
    supplier_lot: str | None
    received_at: datetime
    on_hand: Decimal
    updated_at: datetime
    updated_by: uuid.UUID | None
    status_changed_at: datetime | None
    status_changed_by: uuid.UUID | None


def _on_hand() -> Any:
    return (select(func.coalesce(func.sum(StockBalance.quantity), 0))
            .where(StockBalance.tenant_id == Lot.tenant_id, StockBalance.lot_id == Lot.id)
            .scalar_subquery())


def _views(session: Session, conditions: list[Any], limit: int | None = None, offset: int = 0) -> list[LotView]:
    query = (select(Lot, Item.sku, _on_hand()).join(Item, (Item.tenant_id == Lot.tenant_id) & (Item.id == Lot.item_id))
             .where(*conditions).order_by(Item.sku, Lot.received_at, Lot.code).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [LotView(lot.id, lot.item_id, sku, lot.code, lot.status, lot.expiry_date, lot.supplier_lot,
                    lot.received_at, on_hand, lot.updated_at, lot.updated_by, lot.status_changed_at,
                    lot.status_changed_by)
            for lot, sku, on_hand in session.execute(query)]


def find_lot(session: Session, tenant_id: uuid.UUID, ref: str, sku: str | None) -> Lot:
    """The lot by id, or by code (and ``sku`` when the code exists for several items):
    404 naming ``code`` when there is none, 422 asking for ``sku`` when ambiguous."""
    conditions: list[Any] = [Lot.tenant_id == tenant_id]
    as_id = as_uuid(ref)
    conditions.append(Lot.id == as_id if as_id else Lot.code == ref)
    if sku:
        conditions.append(Lot.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id)
    rows = session.scalars(select(Lot).where(*conditions).limit(2)).all()
    if not rows:
        raise NotFound(f"no lot {ref!r}", "code")
    if len(rows) > 1:
        raise InvalidInput(f"lot code {ref!r} exists for several items: add ?sku=", "sku")
    return rows[0]


def list_lots(tenant_id: uuid.UUID, sku: str | None = None, status: str | None = None,
              limit: int = 50, offset: int = 0) -> tuple[list[LotView], int]:
    """A page of lots ordered by sku and received date, with the quantity on hand of each."""
    with db.tenant_session(tenant_id) as session:
        conditions: list[Any] = [Lot.tenant_id == tenant_id]
        if sku:
            conditions.append(Lot.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id)
        if status:
            if status not in LOT_STATUSES:
                raise InvalidInput(f"status must be one of: {', '.join(LOT_STATUSES)}", "status")
            conditions.append(Lot.status == status)
        total = session.scalar(select(func.count()).select_from(Lot).where(*conditions)) or 0
        return _views(session, conditions, limit, offset), total


def get_lot(tenant_id: uuid.UUID, ref: str, sku: str | None = None) -> LotView:
    """One lot by code (or id)."""
    with db.tenant_session(tenant_id) as session:
        lot = find_lot(session, tenant_id, ref, sku)
        return _views(session, [Lot.tenant_id == tenant_id, Lot.id == lot.id])[0]


def update_lot(tenant_id: uuid.UUID, ref: str, raw: dict[str, Any], user_id: uuid.UUID | None,
               sku: str | None = None) -> LotView:
    """Change ``status`` and/or ``expiry_date``, recording who changed it and when."""
    unknown = sorted(set(raw) - {"status", "expiry_date"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} cannot be changed", unknown[0])
    with db.tenant_session(tenant_id, user_id) as session:
        lot = find_lot(session, tenant_id, ref, sku)
        session.refresh(lot, with_for_update=True)
        if "status" in raw:
            status = raw["status"]
            if status not in LOT_STATUSES:
                raise InvalidInput(f"status must be one of: {', '.join(LOT_STATUSES)}", "status")
            if status != lot.status:
                _ask_status_change(session, tenant_id, lot, status, user_id)
                set_lot_status(lot, status, user_id)
        if "expiry_date" in raw:
            if raw["expiry_date"] is not None and not isinstance(raw["expiry_date"], date):
                raise InvalidInput("expiry_date must be a date (YYYY-MM-DD)", "expiry_date")
            lot.expiry_date = raw["expiry_date"]
        lot.updated_at, lot.updated_by = func.now(), user_id
        session.flush()
        session.refresh(lot)
        return _views(session, [Lot.tenant_id == tenant_id, Lot.id == lot.id])[0]


def _ask_status_change(session: Session, tenant_id: uuid.UUID, lot: Lot, status: str,
                       user_id: uuid.UUID | None) -> None:
    ref = LotRef(lot.id, lot.code, lot.status, lot.expiry_date, lot.received_at)
    reasons = [str(r) for answer in call_hook(
        session, tenant_id, "before_lot_status_change", tenant_id=tenant_id, lot=ref, new_status=status,
        user_id=user_id, session=session) for r in answer or []]
    if reasons:
        raise Conflict("; ".join(reasons), "status")


def set_lot_status(lot: Lot, status: str, user_id: uuid.UUID | None) -> None:
    """Give a (locked, session-bound) lot a new status, recording who and when.

    For services that decide the status themselves (a signed QC release); the change is
    flushed with the caller's transaction and audited like any ORM change.
    """
    if status not in LOT_STATUSES:
        raise InvalidInput(f"status must be one of: {', '.join(LOT_STATUSES)}", "status")
    lot.status, lot.status_changed_at, lot.status_changed_by = status, func.now(), user_id
    lot.updated_at, lot.updated_by = func.now(), user_id


@dataclass(frozen=True)
class LotTrace:
    lot: LotView
    moves: list[MoveView]


def trace_lot(tenant_id: uuid.UUID, ref: str, sku: str | None = None) -> LotTrace:
    """The lot and every move of it, in posting order (recall and audit)."""
    with db.tenant_session(tenant_id) as session:
        lot = find_lot(session, tenant_id, ref, sku)
        view = _views(session, [Lot.tenant_id == tenant_id, Lot.id == lot.id])[0]
        return LotTrace(view, moves_where(session, tenant_id, [("lot_id", lot.id)]))


def refuse_unusable(lot: LotRef, kind: str, today: date) -> None:
    """Issues and reservations take only ``available`` lots (409 naming the lot).

    A reservation also refuses a lot past its expiry date. An issue of a named lot past
    its date is not refused here: whether that is allowed is the trade's rule (the food
    plugin refuses it unless the reason is spoilage, through ``before_post_move``);
    a lot whose *status* is ``expired`` is refused for everyone.
    """
    if lot.status != "available":
        raise Conflict(f"lot {lot.code!r} is {lot.status}: it cannot be used for a {kind}", "lot")
    if kind != "issue" and lot.expiry_date is not None and lot.expiry_date < today:
        raise Conflict(f"lot {lot.code!r} expired on {lot.expiry_date}", "lot")
