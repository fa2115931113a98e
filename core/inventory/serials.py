"""Serial units: where each one is, moved by the same transaction as its move.

One row per (tenant, item, serial) — the primary key — holds the serial's current
location, so a serial is in one place only. A move that brings a serial in needs it out
of stock (never seen, or issued earlier); a move that takes it from a location needs it
there. Rows are locked in serial order, so concurrent moves of overlapping serials wait
instead of deadlocking.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import Conflict, NotFound
from core.inventory.models import SerialNumber
from core.inventory.refs import LocationRef, find_location_ref, find_stock_item, subtree_ids


def _listing(serials: list[str]) -> str:
    shown = ", ".join(serials[:5])
    return shown + (f" and {len(serials) - 5} more" if len(serials) > 5 else "")


def move_serials(
    session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, serials: tuple[str, ...],
    source: LocationRef | None, target: LocationRef | None, move_id: uuid.UUID,
) -> None:
    """Put ``serials`` where the move takes them; 409 naming the serials that are not where
    the move says (or already in stock, for a move that brings them in)."""
    ordered = sorted(serials)
    if source is None:
        rows = [{"tenant_id": tenant_id, "item_id": item_id, "serial": s, "location_id": target and target.id,
                 "last_move_id": move_id} for s in ordered]
        statement = insert(SerialNumber).values(rows)
        upsert = statement.on_conflict_do_update(
            index_elements=["tenant_id", "item_id", "serial"],
            set_={"location_id": statement.excluded.location_id, "last_move_id": move_id, "updated_at": func.now()},
            where=SerialNumber.location_id.is_(None),
        ).returning(SerialNumber.serial)
        done = set(session.scalars(upsert))
        refused = [s for s in ordered if s not in done]
        if refused:
            raise Conflict(f"serial {_listing(refused)} is already in stock", "serials")
        return
    where = (SerialNumber.tenant_id == tenant_id, SerialNumber.item_id == item_id,
             SerialNumber.serial.in_(ordered))
    session.execute(select(SerialNumber.serial).where(*where).order_by(SerialNumber.serial).with_for_update())
    moved = set(session.scalars(
        update(SerialNumber).where(*where, SerialNumber.location_id == source.id)
        .values(location_id=target.id if target else None, last_move_id=move_id, updated_at=func.now())
        .returning(SerialNumber.serial)
    ))
    refused = [s for s in ordered if s not in moved]
    if refused:
        raise Conflict(f"serial {_listing(refused)} is not at {source.code}", "serials")


@dataclass(frozen=True)
class SerialView:
    sku: str
    serial: str
    in_stock: bool
    location_id: uuid.UUID | None
    location_code: str | None
    last_move_id: uuid.UUID
    updated_at: datetime


def list_serials(tenant_id: uuid.UUID, sku: str | None = None, location: str | None = None,
                 in_stock: bool | None = None, limit: int = 100, offset: int = 0) -> tuple[list[SerialView], int]:
    """Serial units with where they are; ``location`` includes its children."""
    with db.tenant_session(tenant_id) as session:
        conditions = [SerialNumber.tenant_id == tenant_id]
        if sku:
            conditions.append(SerialNumber.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id)
        if location:
            root = find_location_ref(session, tenant_id, location).id
            conditions.append(SerialNumber.location_id.in_(subtree_ids(tenant_id, root)))
        if in_stock is not None:
            conditions.append(SerialNumber.location_id.isnot(None) if in_stock else SerialNumber.location_id.is_(None))
        total = session.scalar(select(func.count()).select_from(SerialNumber).where(*conditions)) or 0
        rows = session.execute(
            select(Item.sku, SerialNumber.serial, SerialNumber.location_id, Location.code,
                   SerialNumber.last_move_id, SerialNumber.updated_at)
            .join(Item, (Item.tenant_id == SerialNumber.tenant_id) & (Item.id == SerialNumber.item_id))
            .outerjoin(Location, (Location.tenant_id == SerialNumber.tenant_id)
                       & (Location.id == SerialNumber.location_id))
            .where(*conditions).order_by(Item.sku, SerialNumber.serial).limit(limit).offset(offset)
        )
        return [SerialView(sku, serial, loc is not None, loc, code, move, at)
                for sku, serial, loc, code, move, at in rows], total
