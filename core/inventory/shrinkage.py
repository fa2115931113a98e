"""Shrinkage: the quantity and value lost per item and period, by reason.

What counts as lost (decided here, the brief names count losses and scrap):

* every ``scrap`` move (its reason code: damaged, expired, …);
* every ``adjustment`` that takes stock out — the negative variances posted by cycle
  counts (reason ``count``) and any other downward adjustment (its own reason code).

Reversals are left out on both sides: a reversed loss did not happen (a reversing move
and the move it reverses cancel each other). Values are the cost the ledger took out
for the move (FIFO layers or moving average, per the tenant's valuation method).
Periods are calendar buckets in UTC: ``day``, ``week`` (ISO, starting Monday),
``month``, ``quarter`` or ``year``; a bucket is named by its first day.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import aliased

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput
from core.inventory import stock_queries as q
from core.inventory.models import StockMove
from core.inventory.refs import find_stock_item

PERIODS = ("day", "week", "month", "quarter", "year")


def period_start(day: date, period: str) -> date:
    """The first day of the bucket ``day`` falls in."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return date(day.year, 1, 1)
    raise InvalidInput(f"period must be one of: {', '.join(PERIODS)}", "period")


@dataclass(frozen=True)
class Loss:
    """One move that lost stock: plain data for :func:`summarise`."""

    day: date
    item_id: uuid.UUID
    sku: str
    reason: str
    kind: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class ShrinkageRow:
    period: date
    item_id: uuid.UUID
    sku: str
    reason: str
    kind: str
    moves: int
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class ItemTotal:
    item_id: uuid.UUID
    sku: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class ShrinkageReport:
    start: date
    end: date
    period: str
    rows: list[ShrinkageRow]
    by_item: list[ItemTotal]
    by_reason: dict[str, Decimal]
    total_value: Decimal


def summarise(losses: Iterable[Loss], start: date, end: date, period: str) -> ShrinkageReport:
    """Group losses by (period, item, reason, kind); totals per item and per reason.

    Quantities and values are positive amounts lost. Rows are ordered by period, then
    sku, then reason; items by value lost, highest first.
    """
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of: {', '.join(PERIODS)}", "period")
    groups: dict[tuple[date, str, uuid.UUID, str, str], list[Loss]] = {}
    for loss in losses:
        key = (period_start(loss.day, period), loss.sku, loss.item_id, loss.reason, loss.kind)
        groups.setdefault(key, []).append(loss)
    rows = [
        ShrinkageRow(p, item_id, sku, reason, kind, len(found),
                     sum((x.quantity for x in found), Decimal(0)),
                     sum((x.value for x in found), Decimal(0)))
        for (p, sku, item_id, reason, kind), found in sorted(groups.items(), key=lambda kv: kv[0][:2] + kv[0][3:])
    ]
    items: dict[uuid.UUID, ItemTotal] = {}
    reasons: dict[str, Decimal] = {}
    for row in rows:
        before = items.get(row.item_id)
        items[row.item_id] = ItemTotal(
            row.item_id, row.sku,
            (before.quantity if before else Decimal(0)) + row.quantity,
            (before.value if before else Decimal(0)) + row.value)
        reasons[row.reason] = reasons.get(row.reason, Decimal(0)) + row.value
    by_item = sorted(items.values(), key=lambda t: (-t.value, t.sku))
    total = sum((r.value for r in rows), Decimal(0))
    return ShrinkageReport(start, end, period, rows, by_item, dict(sorted(reasons.items())), total)


# ---------------------------------------------------------------- the adapter on the ledger

MAX_PERIOD_DAYS = 3660


def shrinkage_report(tenant_id: uuid.UUID, start: date | None, end: date | None,
                     period: str = "month", sku: str | None = None) -> ShrinkageReport:
    """Losses (scrap and downward adjustments, reversals left out) grouped by period."""
    if start is None:
        raise InvalidInput("from is required (YYYY-MM-DD)", "from")
    if end is None:
        raise InvalidInput("to is required (YYYY-MM-DD)", "to")
    if end < start:
        raise InvalidInput("to must not be before from", "to")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"the period may be at most {MAX_PERIOD_DAYS} days", "to")
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of: {', '.join(PERIODS)}", "period")
    reversal = aliased(StockMove, name="reversal")
    with db.tenant_session(tenant_id) as session:
        conditions = [
            q.tenant(tenant_id), q.OUTBOUND, StockMove.kind.in_(("scrap", "adjustment")),
            StockMove.reverses_move_id.is_(None), reversal.id.is_(None),
            StockMove.posted_at >= q.day_start(start), StockMove.posted_at < q.day_after(end),
        ]
        if sku:
            conditions.append(StockMove.item_id == find_stock_item(session, tenant_id, sku, "sku").id)
        rows = session.execute(
            select(q.utc_day(), StockMove.item_id, Item.sku, StockMove.reason, StockMove.kind,
                   StockMove.quantity, StockMove.total_cost)
            .join(Item, (Item.tenant_id == StockMove.tenant_id) & (Item.id == StockMove.item_id))
            .outerjoin(reversal, (reversal.tenant_id == StockMove.tenant_id)
                       & (reversal.reverses_move_id == StockMove.id))
            .where(*conditions)
        ).all()
    losses = [Loss(day, item_id, sku_, reason or "unspecified", kind, qty, cost)
              for day, item_id, sku_, reason, kind, qty, cost in rows]
    return summarise(losses, start, end, period)
