"""Item use cases: create, read (by id or sku), update, delete and list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.catalog.item_input import clean_item_fields
from core.catalog.models import Item, UnitOfMeasure
from core.errors import Conflict, InvalidInput, NotFound
from core.plugins import call_hook


@dataclass(frozen=True)
class ItemView:
    id: uuid.UUID
    sku: str
    name: str
    uom: str
    kind: str
    lead_time_days: int
    safety_stock: Decimal
    lot_sizing: dict[str, Any]
    tracking: str
    shelf_life_days: int | None
    standard_cost: Decimal
    allow_negative_stock: bool
    created_at: datetime

    @classmethod
    def of(cls, item: Item) -> ItemView:
        return cls(**{f.name: getattr(item, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Page:
    items: list[ItemView]
    total: int
    limit: int
    offset: int


def _parse_ref(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def find_item(session: Session, tenant_id: uuid.UUID, ref: str) -> Item:
    """The tenant's item by id or by sku; 404 naming the reference otherwise."""
    as_id = _parse_ref(ref)
    match = Item.sku == ref if as_id is None else or_(Item.id == as_id, Item.sku == ref)
    item = session.scalars(select(Item).where(Item.tenant_id == tenant_id, match)).first()
    if item is None:
        raise NotFound(f"no item {ref!r}", "item")
    return item


def _check(session: Session, tenant_id: uuid.UUID, clean: dict[str, Any]) -> None:
    if "uom" in clean and session.get(UnitOfMeasure, clean["uom"]) is None:
        raise InvalidInput(f"uom {clean['uom']!r} is not a known unit of measure", "uom")
    for refusals in call_hook(session, tenant_id, "validate_item",
                              tenant_id=tenant_id, fields=clean, session=session):
        for field, message in refusals or []:
            raise InvalidInput(message, field)


def _save(session: Session, item: Item) -> None:
    try:
        with session.begin_nested():
            session.add(item)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"an item with sku {item.sku!r} already exists", "sku") from exc


def add_item(session: Session, tenant_id: uuid.UUID, raw: dict[str, Any]) -> Item:
    """Create an item inside an open transaction (used by create and by CSV import)."""
    clean = clean_item_fields(raw)
    _check(session, tenant_id, clean)
    item = Item(tenant_id=tenant_id, id=uuid.uuid4(), **clean)
    _save(session, item)
    return item


def _refuse_tracking_change(session: Session, item: Item, tracking: str) -> None:
    # Moves, balances and serials were written under the old tracking: a lot-tracked item
    # turned untracked would leave lots on the shelf that no issue can name, and back.
    moved = session.scalar(text("SELECT EXISTS (SELECT 1 FROM stock_move WHERE tenant_id = :t AND item_id = :i)"),
                           {"t": item.tenant_id, "i": item.id})
    if moved:
        raise Conflict(f"item {item.sku!r} has stock moves: its tracking cannot change from "
                       f"{item.tracking!r} to {tracking!r}", "tracking")


def change_item(session: Session, item: Item, raw: dict[str, Any]) -> Item:
    """Apply a partial update inside an open transaction."""
    clean = clean_item_fields(raw, partial=True)
    _check(session, item.tenant_id, {"sku": item.sku, **clean})
    if "tracking" in clean and clean["tracking"] != item.tracking:
        _refuse_tracking_change(session, item, clean["tracking"])
    for name, value in clean.items():
        setattr(item, name, value)
    _save(session, item)
    return item


def create_item(tenant_id: uuid.UUID, raw: dict[str, Any]) -> ItemView:
    """Create an item; 422 naming a bad field, 409 when the sku exists."""
    with db.tenant_session(tenant_id) as session:
        return ItemView.of(add_item(session, tenant_id, raw))


def get_item(tenant_id: uuid.UUID, ref: str) -> ItemView:
    """One item by id or sku."""
    with db.tenant_session(tenant_id) as session:
        return ItemView.of(find_item(session, tenant_id, ref))


def update_item(tenant_id: uuid.UUID, ref: str, raw: dict[str, Any]) -> ItemView:
    """Change the given fields of an item addressed by id or sku."""
    with db.tenant_session(tenant_id) as session:
        return ItemView.of(change_item(session, find_item(session, tenant_id, ref), raw))


def delete_item(tenant_id: uuid.UUID, ref: str) -> None:
    """Delete an item that nothing refers to yet; 409 once it has history."""
    with db.tenant_session(tenant_id) as session:
        item = find_item(session, tenant_id, ref)
        try:
            with session.begin_nested():
                session.delete(item)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(f"item {item.sku!r} is in use and cannot be deleted", "item") from exc


def list_items(
    tenant_id: uuid.UUID,
    q: str | None = None,
    kind: str | None = None,
    tracking: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """A page of items ordered by sku; ``q`` matches sku or name (case-insensitive)."""
    conditions = [Item.tenant_id == tenant_id]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(or_(Item.sku.ilike(pattern), Item.name.ilike(pattern)))
    if kind:
        conditions.append(Item.kind == kind)
    if tracking:
        conditions.append(Item.tracking == tracking)
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).select_from(Item).where(*conditions)) or 0
        rows = session.scalars(
            select(Item).where(*conditions).order_by(Item.sku).limit(limit).offset(offset)
        )
        return Page([ItemView.of(r) for r in rows], total, limit, offset)


def all_items(tenant_id: uuid.UUID) -> list[ItemView]:
    """Every item of the tenant, ordered by sku (for export)."""
    with db.tenant_session(tenant_id) as session:
        rows = session.scalars(select(Item).where(Item.tenant_id == tenant_id).order_by(Item.sku))
        return [ItemView.of(r) for r in rows]
