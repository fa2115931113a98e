"""An item's moves with the running balance, computed at read time by a window function.

No running balance is stored anywhere: a stored one would have to be rewritten after
every back-dated or concurrent posting (the ERPNext repost trap). The balance after each
move is ``opening + SUM(change) OVER (ORDER BY seq)``, where ``change`` is the move's
effect on the scope asked for: the whole stock of the item (transfers change nothing),
or one location with everything below it (a transfer in or out counts).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from core import db
from core.errors import NotFound
from core.inventory.models import Lot, StockMove
from core.inventory.move_queries import move_select, view_of
from core.inventory.move_types import MoveView
from core.inventory.refs import find_location_ref, find_stock_item, subtree_ids


@dataclass(frozen=True)
class HistoryLine:
    move: MoveView
    change: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ItemHistory:
    item_id: uuid.UUID
    sku: str
    location: str | None
    lot: str | None
    opening_balance: Decimal
    lines: list[HistoryLine]
    total: int
    limit: int
    offset: int


def _change(tree: Any) -> Any:
    """The move's signed effect on the scope (all stock when ``tree`` is None)."""
    if tree is None:
        return case((StockMove.from_location_id.is_(None), StockMove.quantity),
                    (StockMove.to_location_id.is_(None), -StockMove.quantity), else_=literal(0))
    into = and_(StockMove.to_location_id.in_(tree),
                or_(StockMove.from_location_id.is_(None), StockMove.from_location_id.not_in(tree)))
    out_of = and_(StockMove.from_location_id.in_(tree),
                  or_(StockMove.to_location_id.is_(None), StockMove.to_location_id.not_in(tree)))
    return case((into, StockMove.quantity), (out_of, -StockMove.quantity), else_=literal(0))


def _scope(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, location: str | None,
           lot: str | None) -> tuple[list[Any], Any]:
    conditions: list[Any] = [StockMove.item_id == item_id]
    tree = None
    if location:
        tree = subtree_ids(tenant_id, find_location_ref(session, tenant_id, location).id)
        conditions.append(or_(StockMove.from_location_id.in_(tree), StockMove.to_location_id.in_(tree)))
    if lot:
        lot_id = session.scalar(select(Lot.id).where(Lot.tenant_id == tenant_id, Lot.item_id == item_id,
                                                     Lot.code == lot))
        if lot_id is None:
            raise NotFound(f"no lot {lot!r} of this item", "lot")
        conditions.append(StockMove.lot_id == lot_id)
    return conditions, _change(tree)


def item_history(tenant_id: uuid.UUID, ref: str, location: str | None = None, lot: str | None = None,
                 posted_from: datetime | None = None, posted_to: datetime | None = None,
                 limit: int = 100, offset: int = 0) -> ItemHistory:
    """Moves of the item (by id or sku) in posting order, each with the balance after it."""
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, ref, "item", NotFound)
        conditions, change = _scope(session, tenant_id, item.id, location, lot)
        opening = Decimal(0)
        if posted_from is not None:
            opening = session.scalar(
                select(func.coalesce(func.sum(change), 0))
                .where(StockMove.tenant_id == tenant_id, *conditions, StockMove.posted_at < posted_from)
            ) or Decimal(0)
        if posted_from is not None:
            conditions.append(StockMove.posted_at >= posted_from)
        if posted_to is not None:
            conditions.append(StockMove.posted_at <= posted_to)
        running = func.sum(change).over(order_by=StockMove.seq)
        query = move_select(tenant_id).where(*conditions).add_columns(change, running)
        total = session.scalar(select(func.count()).select_from(StockMove)
                               .where(StockMove.tenant_id == tenant_id, *conditions)) or 0
        lines = [HistoryLine(view_of(*row[:6]), row[6], opening + row[7])
                 for row in session.execute(query.order_by(StockMove.seq).limit(limit).offset(offset))]
        return ItemHistory(item.id, item.sku, location, lot, opening, lines, total, limit, offset)
