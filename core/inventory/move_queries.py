"""Reading the ledger: one move, a filtered page of moves, the moves of a batch or a lot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from core import db
from core.catalog.models import Item, Location
from core.errors import InvalidInput, NotFound
from core.inventory.models import MOVE_KINDS, Lot, StockMove
from core.inventory.move_types import DocumentRef, MoveView
from core.inventory.refs import find_location_ref, find_stock_item, subtree_ids

Source = aliased(Location, name="source")
Target = aliased(Location, name="target")
Reversal = aliased(StockMove, name="reversal")


def move_select(tenant_id: uuid.UUID) -> Select[Any]:
    return (
        select(StockMove, Item.sku, Source.code, Target.code, Lot.code, Reversal.id)
        .join(Item, (Item.tenant_id == StockMove.tenant_id) & (Item.id == StockMove.item_id))
        .outerjoin(Source, (Source.tenant_id == StockMove.tenant_id) & (Source.id == StockMove.from_location_id))
        .outerjoin(Target, (Target.tenant_id == StockMove.tenant_id) & (Target.id == StockMove.to_location_id))
        .outerjoin(Lot, (Lot.tenant_id == StockMove.tenant_id) & (Lot.id == StockMove.lot_id))
        .outerjoin(Reversal, (Reversal.tenant_id == StockMove.tenant_id)
                   & (Reversal.reverses_move_id == StockMove.id))
        .where(StockMove.tenant_id == tenant_id)
    )


def view_of(move: StockMove, sku: str, source: str | None, target: str | None, lot: str | None,
            reversed_by: uuid.UUID | None) -> MoveView:
    """A move row and the codes it points at, as a :class:`MoveView`."""
    reference = DocumentRef(move.reference_type, move.reference_id) \
        if move.reference_type and move.reference_id else None
    return MoveView(
        move.id, move.seq, move.batch_id, move.kind, move.item_id, sku, move.quantity,
        move.from_location_id, source, move.to_location_id, target, move.lot_id, lot,
        list(move.serials or []), move.unit_cost, move.total_cost, move.cost_variance, move.reason,
        reference, move.reservation_id, move.reverses_move_id, reversed_by, move.idempotency_key,
        move.posted_at, move.posted_by,
    )


def moves_where(session: Session, tenant_id: uuid.UUID, equal: list[tuple[str, Any]]) -> list[MoveView]:
    """Every move whose columns equal the given values, in posting order."""
    query = move_select(tenant_id).where(*[getattr(StockMove, c) == v for c, v in equal]).order_by(StockMove.seq)
    return [view_of(*row) for row in session.execute(query)]


def batch_moves(session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> list[MoveView]:
    """The moves one posting wrote (the first one's id is the batch id), in order."""
    query = move_select(tenant_id).where(or_(
        StockMove.id == batch_id, and_(StockMove.batch_id == batch_id, StockMove.id != StockMove.batch_id),
    )).order_by(StockMove.seq)
    return [view_of(*row) for row in session.execute(query)]


def get_move(tenant_id: uuid.UUID, move_id: uuid.UUID) -> MoveView:
    """One move; 404 when the tenant has none with this id."""
    with db.tenant_session(tenant_id) as session:
        found = moves_where(session, tenant_id, [("id", move_id)])
        if not found:
            raise NotFound(f"no stock move {move_id}", "move_id")
        return found[0]


@dataclass(frozen=True)
class MoveFilter:
    """Filters of the move list; every one optional. ``location`` includes its children."""

    sku: str | None = None
    location: str | None = None
    lot: str | None = None
    kind: str | None = None
    posted_from: datetime | None = None
    posted_to: datetime | None = None
    reference_type: str | None = None
    reference_id: str | None = None


def _conditions(session: Session, tenant_id: uuid.UUID, f: MoveFilter) -> list[Any]:
    conditions: list[Any] = []
    if f.sku:
        conditions.append(StockMove.item_id == find_stock_item(session, tenant_id, f.sku, "sku", NotFound).id)
    if f.location:
        tree = subtree_ids(tenant_id, find_location_ref(session, tenant_id, f.location).id)
        conditions.append(or_(StockMove.from_location_id.in_(tree), StockMove.to_location_id.in_(tree)))
    if f.lot:
        conditions.append(Lot.code == f.lot)
    if f.kind:
        if f.kind not in MOVE_KINDS:
            raise InvalidInput(f"kind must be one of: {', '.join(MOVE_KINDS)}", "kind")
        conditions.append(StockMove.kind == f.kind)
    if f.posted_from:
        conditions.append(StockMove.posted_at >= f.posted_from)
    if f.posted_to:
        conditions.append(StockMove.posted_at <= f.posted_to)
    if f.reference_type:
        conditions.append(StockMove.reference_type == f.reference_type)
    if f.reference_id:
        conditions.append(StockMove.reference_id == f.reference_id)
    return conditions


def list_moves(tenant_id: uuid.UUID, f: MoveFilter, limit: int = 50, offset: int = 0) -> tuple[list[MoveView], int]:
    """A page of moves, newest first, and how many match."""
    with db.tenant_session(tenant_id) as session:
        conditions = _conditions(session, tenant_id, f)
        query = move_select(tenant_id).where(*conditions)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.order_by(StockMove.seq.desc()).limit(limit).offset(offset))
        return [view_of(*row) for row in rows], total
