"""Inventory value at any moment and cost of goods sold over a period, from the ledger.

Each move recorded the value it brought in (``total_cost − cost_variance``) or took out
(``total_cost``) when it was posted, so the value of an item at ``as_of`` is the sum over
its moves posted until then — no current state is involved, and no history is
recomputed. Transfers move no value.

Cost of goods sold in a period: the cost of issues (less the cost given back by
reversals of issues) plus the variances charged when inbound moves settled negative
stock. Scrap is a loss, not COGS, and is left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput, NotFound
from core.inventory.models import StockMove
from core.inventory.refs import find_stock_item
from core.inventory.settings import valuation_method
from core.inventory.valuation_math import money

_IN = and_(StockMove.from_location_id.is_(None), StockMove.to_location_id.isnot(None))
_OUT = and_(StockMove.to_location_id.is_(None), StockMove.from_location_id.isnot(None))


@dataclass(frozen=True)
class ValuationLine:
    item_id: uuid.UUID
    sku: str
    quantity: Decimal
    value: Decimal
    unit_cost: Decimal | None


@dataclass(frozen=True)
class ValuationReport:
    as_of: datetime | None
    valuation_method: str
    items: list[ValuationLine]
    total_value: Decimal


@dataclass(frozen=True)
class CogsLine:
    item_id: uuid.UUID
    sku: str
    issued_quantity: Decimal
    issue_cost: Decimal
    variance: Decimal
    cogs: Decimal


@dataclass(frozen=True)
class CogsReport:
    posted_from: datetime | None
    posted_to: datetime | None
    items: list[CogsLine]
    total: Decimal


def _item_filter(session: Any, tenant_id: uuid.UUID, sku: str | None) -> list[Any]:
    if not sku:
        return []
    return [StockMove.item_id == find_stock_item(session, tenant_id, sku, "sku", NotFound).id]


def valuation_report(tenant_id: uuid.UUID, sku: str | None = None, as_of: datetime | None = None) -> ValuationReport:
    """Per item quantity, value and unit cost as of ``as_of`` (default: now)."""
    quantity = func.sum(case((_IN, StockMove.quantity), (_OUT, -StockMove.quantity), else_=literal(0)))
    value = func.sum(case((_IN, StockMove.total_cost - StockMove.cost_variance), (_OUT, -StockMove.total_cost),
                          else_=literal(0)))
    with db.tenant_session(tenant_id) as session:
        conditions = [StockMove.tenant_id == tenant_id, *_item_filter(session, tenant_id, sku)]
        if as_of is not None:
            conditions.append(StockMove.posted_at <= as_of)
        rows = session.execute(
            select(StockMove.item_id, Item.sku, quantity, value)
            .join(Item, and_(Item.tenant_id == StockMove.tenant_id, Item.id == StockMove.item_id))
            .where(*conditions).group_by(StockMove.item_id, Item.sku)
            .having((quantity != 0) | (value != 0)).order_by(Item.sku)
        ).all()
        lines = [ValuationLine(i, s, q, v, money(v / q) if q > 0 else None) for i, s, q, v in rows]
        method = valuation_method(session, tenant_id)
    return ValuationReport(as_of, method, lines, sum((line.value for line in lines), Decimal(0)))


def cogs_report(tenant_id: uuid.UUID, posted_from: datetime | None = None, posted_to: datetime | None = None,
                sku: str | None = None) -> CogsReport:
    """Cost of issues in the period per item, with variances, and the total."""
    if posted_from and posted_to and posted_from > posted_to:
        raise InvalidInput("from must not be after to", "from")
    issue = StockMove.kind == "issue"
    sign = case((StockMove.from_location_id.isnot(None), 1), else_=-1)
    issued = func.sum(case((issue, sign * StockMove.quantity), else_=literal(0)))
    cost = func.sum(case((issue, sign * StockMove.total_cost), else_=literal(0)))
    variance = func.sum(StockMove.cost_variance)
    with db.tenant_session(tenant_id) as session:
        conditions = [StockMove.tenant_id == tenant_id, *_item_filter(session, tenant_id, sku),
                      (issue | (StockMove.cost_variance != 0))]
        if posted_from is not None:
            conditions.append(StockMove.posted_at >= posted_from)
        if posted_to is not None:
            conditions.append(StockMove.posted_at <= posted_to)
        rows = session.execute(
            select(StockMove.item_id, Item.sku, issued, cost, variance)
            .join(Item, and_(Item.tenant_id == StockMove.tenant_id, Item.id == StockMove.item_id))
            .where(*conditions).group_by(StockMove.item_id, Item.sku).order_by(Item.sku)
        ).all()
    lines = [CogsLine(i, s, q, c, v, c + v) for i, s, q, c, v in rows]
    return CogsReport(posted_from, posted_to, lines, sum((line.cogs for line in lines), Decimal(0)))
