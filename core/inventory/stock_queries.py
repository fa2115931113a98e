"""Ledger arithmetic in SQL for reports (ABC, KPIs, shrinkage): signed quantities and values.

A move's direction follows from its locations (the ledger's own rule): only
``to_location`` → stock comes **in**; only ``from_location`` → stock goes **out**; both →
a transfer, which changes neither the tenant's quantity nor its value.

* quantity change: +quantity in, −quantity out, 0 for a transfer;
* inventory value change: in → ``total_cost − cost_variance`` (the variance of a move
  that settles negative stock is charged to cost of goods sold, not to the stock);
  out → ``−total_cost``; 0 for a transfer.

A reversing move carries its own direction (it undoes the original), and its *effective
kind* is the kind of the move it reverses: a reversed issue counts as a negative issue.
Days are UTC calendar days.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, literal, literal_column
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from core.inventory.models import StockMove

Original = aliased(StockMove, name="original")

INBOUND = and_(StockMove.to_location_id.is_not(None), StockMove.from_location_id.is_(None))
OUTBOUND = and_(StockMove.from_location_id.is_not(None), StockMove.to_location_id.is_(None))


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_after(day: date) -> datetime:
    """Midnight UTC at the end of ``day`` (the exclusive upper bound of the day)."""
    return day_start(day + timedelta(days=1))


def utc_day() -> ColumnElement[date]:
    """The UTC calendar day a move was posted on."""
    # A literal, not a bound parameter: the same expression must match in GROUP BY.
    return cast(func.timezone(literal_column("'UTC'"), StockMove.posted_at), Date)


def quantity_change() -> ColumnElement[Any]:
    return case((INBOUND, StockMove.quantity), (OUTBOUND, -StockMove.quantity), else_=literal(0))


def value_change() -> ColumnElement[Any]:
    return case((INBOUND, StockMove.total_cost - StockMove.cost_variance),
                (OUTBOUND, -StockMove.total_cost), else_=literal(0))


def effective_kind() -> ColumnElement[str]:
    """The move's kind, or for a reversal the kind of the move it reverses."""
    return func.coalesce(Original.kind, StockMove.kind)


def join_original() -> Any:
    """The ON clause that joins a reversal to the move it reverses (outer join)."""
    return and_(Original.tenant_id == StockMove.tenant_id, Original.id == StockMove.reverses_move_id)


def cogs_amount() -> ColumnElement[Any]:
    """A move's share of cost of goods sold.

    Issues add their cost and reversed issues take it back; inbound moves that settle
    negative stock add their cost variance (the ledger charges it to COGS).
    """
    issue = effective_kind() == "issue"
    return case((and_(issue, OUTBOUND), StockMove.total_cost),
                (and_(issue, INBOUND), -StockMove.total_cost),
                else_=literal(0)) + case((INBOUND, StockMove.cost_variance), else_=literal(0))


def tenant(tenant_id: uuid.UUID) -> ColumnElement[bool]:
    return StockMove.tenant_id == tenant_id
