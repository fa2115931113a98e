"""Inventory KPIs over a period: turnover, days of inventory, carrying cost, stockout days.

Definitions (a period is the calendar days ``start``..``end``, both included, in UTC;
``N`` is its number of days):

* **Inventory value at the end of a day** = the value of the opening stock plus the
  signed value of every move posted up to the end of that day (receipts and positive
  adjustments add their value at cost; issues, scrap and negative adjustments take
  out the cost they consumed; transfers do not change the total).
* **Average inventory value** = the mean of the ``N`` end-of-day values.
* **COGS** = the cost of the ``issue`` moves posted in the period, net of the issues
  reversed in it (scrap and count losses are shrinkage, not cost of goods sold).
* **Turnover** = COGS / average inventory value (none when the average is zero).
* **Days of inventory (DSI)** = average inventory value / COGS × N, i.e. 365 divided by
  the turnover annualised on a 365-day year (turnover × 365 / N); none without COGS.
* **Carrying cost** = holding rate per year × average inventory value × N / 365.
* **Stockout days** of an item = the days of the period on which the item's total
  on-hand (every location and lot) was ≤ 0 at some moment: at the start of the day or
  right after any move posted that day. Reported for the items that had any move on or
  before the end of the period.

The formulas are pure functions on plain data, tested alone with hand-computed numbers;
:func:`inventory_kpis` loads their input from the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput
from core.inventory import stock_queries as q
from core.inventory.models import InventorySettings, StockMove
from core.inventory.refs import find_stock_item
from core.inventory.settings import DEFAULT_HOLDING_RATE

MONEY_PLACES = Decimal("0.000001")
RATIO_PLACES = Decimal("0.0001")
DAYS_PLACES = Decimal("0.01")
YEAR_DAYS = Decimal(365)


def period_days(start: date, end: date) -> int:
    """The number of calendar days in ``start``..``end``, both included."""
    return (end - start).days + 1


def end_of_day_values(
    opening: Decimal, changes: Mapping[date, Decimal], start: date, end: date
) -> list[Decimal]:
    """The running balance at the end of each day of the period.

    ``opening`` is the balance at the end of the day before ``start``; ``changes`` maps a
    day to the net change posted on it (days outside the period are ignored).
    """
    values: list[Decimal] = []
    running = opening
    day = start
    while day <= end:
        running += changes.get(day, Decimal(0))
        values.append(running)
        day += timedelta(days=1)
    return values


def average(values: Sequence[Decimal]) -> Decimal:
    """The exact arithmetic mean (0 for no values)."""
    if not values:
        return Decimal(0)
    return sum(values, Decimal(0)) / Decimal(len(values))


def turnover(cogs: Decimal, average_value: Decimal) -> Decimal | None:
    """COGS / average inventory value, 4 places; none when the average is not positive."""
    if average_value <= 0:
        return None
    return (cogs / average_value).quantize(RATIO_PLACES, ROUND_HALF_UP)


def days_of_inventory(average_value: Decimal, cogs: Decimal, days: int) -> Decimal | None:
    """Average inventory / COGS × days in the period, 2 places; none without COGS."""
    if cogs <= 0:
        return None
    return (average_value / cogs * Decimal(days)).quantize(DAYS_PLACES, ROUND_HALF_UP)


def carrying_cost(rate_per_year: Decimal, average_value: Decimal, days: int) -> Decimal:
    """Holding rate per year × average inventory value × days / 365, 6 places."""
    return (rate_per_year * average_value * Decimal(days) / YEAR_DAYS).quantize(
        MONEY_PLACES, ROUND_HALF_UP)


def stockout_days(
    opening_qty: Decimal, moves: Iterable[tuple[date, Decimal]], start: date, end: date
) -> int:
    """Days of ``start``..``end`` on which the on-hand was ≤ 0 at some moment.

    ``opening_qty`` is the on-hand at the start of ``start``; ``moves`` are (day, signed
    quantity) in posting order, only those of the period. A day counts when it starts at
    ≤ 0 or any move of that day leaves the on-hand at ≤ 0.
    """
    by_day: dict[date, list[Decimal]] = {}
    for day, qty in moves:
        if start <= day <= end:
            by_day.setdefault(day, []).append(qty)
    count = 0
    running = opening_qty
    day = start
    while day <= end:
        out = running <= 0
        for qty in by_day.get(day, []):
            running += qty
            out = out or running <= 0
        count += out
        day += timedelta(days=1)
    return count


@dataclass(frozen=True)
class KpiFigures:
    """The period's figures, computed from plain inputs by :func:`compute_kpis`."""

    days: int
    opening_value: Decimal
    closing_value: Decimal
    average_inventory_value: Decimal
    cogs: Decimal
    turnover: Decimal | None
    days_of_inventory: Decimal | None
    holding_rate_per_year: Decimal
    carrying_cost: Decimal


def compute_kpis(
    opening_value: Decimal,
    value_changes: Mapping[date, Decimal],
    cogs: Decimal,
    holding_rate_per_year: Decimal,
    start: date,
    end: date,
) -> KpiFigures:
    """Turnover, DSI and carrying cost of a period from its daily value changes and COGS."""
    days = period_days(start, end)
    values = end_of_day_values(opening_value, value_changes, start, end)
    avg = average(values)
    return KpiFigures(
        days=days,
        opening_value=opening_value,
        closing_value=values[-1] if values else opening_value,
        average_inventory_value=avg.quantize(MONEY_PLACES, ROUND_HALF_UP),
        cogs=cogs,
        turnover=turnover(cogs, avg),
        days_of_inventory=days_of_inventory(avg, cogs, days),
        holding_rate_per_year=holding_rate_per_year,
        carrying_cost=carrying_cost(holding_rate_per_year, avg, days),
    )


# ---------------------------------------------------------------- the adapter on the ledger

MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class ItemStockout:
    item_id: uuid.UUID
    sku: str
    stockout_days: int


@dataclass(frozen=True)
class InventoryKpis:
    """The KPIs of ``start``..``end`` (``end`` capped at today; ``requested_end`` as asked)."""

    start: date
    end: date
    requested_end: date
    days: int
    opening_value: Decimal
    closing_value: Decimal
    average_inventory_value: Decimal
    cogs: Decimal
    turnover: Decimal | None
    days_of_inventory: Decimal | None
    holding_rate_per_year: Decimal
    carrying_cost: Decimal
    stockouts: list[ItemStockout]


def check_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period to compute: both days given, in order, not starting after today; capped."""
    if start is None:
        raise InvalidInput("from is required (YYYY-MM-DD)", "from")
    if end is None:
        raise InvalidInput("to is required (YYYY-MM-DD)", "to")
    if end < start:
        raise InvalidInput("to must not be before from", "to")
    if start > today:
        raise InvalidInput("from is in the future: there is no stock history yet", "from")
    capped = min(end, today)
    if period_days(start, capped) > MAX_PERIOD_DAYS:
        raise InvalidInput(f"the period may be at most {MAX_PERIOD_DAYS} days", "to")
    return start, capped


def _holding_rate(session: Session, tenant_id: uuid.UUID) -> Decimal:
    rate = session.scalar(select(InventorySettings.holding_rate_per_year)
                          .where(InventorySettings.tenant_id == tenant_id))
    return rate if rate is not None else DEFAULT_HOLDING_RATE


def _stockouts(session: Session, tenant_id: uuid.UUID, start: date, end: date,
               item_id: uuid.UUID | None) -> list[ItemStockout]:
    only = [StockMove.item_id == item_id] if item_id else []
    stocked = session.execute(
        select(Item.id, Item.sku, func.coalesce(func.sum(q.quantity_change()).filter(
            StockMove.posted_at < q.day_start(start)), 0))
        .join(StockMove, (StockMove.tenant_id == Item.tenant_id) & (StockMove.item_id == Item.id))
        .where(Item.tenant_id == tenant_id, StockMove.posted_at < q.day_after(end), *only)
        .group_by(Item.id, Item.sku)
    ).all()
    moves: dict[uuid.UUID, list[tuple[date, Decimal]]] = {}
    for mid, day, change in session.execute(
        select(StockMove.item_id, q.utc_day(), q.quantity_change())
        .where(q.tenant(tenant_id), StockMove.posted_at >= q.day_start(start),
               StockMove.posted_at < q.day_after(end), q.quantity_change() != 0, *only)
        .order_by(StockMove.seq)
    ):
        moves.setdefault(mid, []).append((day, Decimal(change)))
    found = [ItemStockout(i, sku, stockout_days(Decimal(opening), moves.get(i, []), start, end))
             for i, sku, opening in stocked]
    return sorted(found, key=lambda s: (-s.stockout_days, s.sku))


def inventory_kpis(tenant_id: uuid.UUID, start: date | None, end: date | None,
                   sku: str | None = None, today: date | None = None) -> InventoryKpis:
    """Turnover, DSI, carrying cost and stockout days of a period, from the ledger.

    ``sku`` narrows the stockout list to one item (the value KPIs are always the whole
    stock). See the module docstring for the definitions.
    """
    first, last = check_period(start, end, today or date.today())
    assert end is not None
    with db.tenant_session(tenant_id) as session:
        item_id = find_stock_item(session, tenant_id, sku, "sku").id if sku else None
        opening = session.scalar(select(func.coalesce(func.sum(q.value_change()), 0)).where(
            q.tenant(tenant_id), StockMove.posted_at < q.day_start(first)))
        changes = {day: Decimal(v) for day, v in session.execute(
            select(q.utc_day(), func.sum(q.value_change()))
            .where(q.tenant(tenant_id), StockMove.posted_at >= q.day_start(first),
                   StockMove.posted_at < q.day_after(last))
            .group_by(q.utc_day()))}
        cogs = session.scalar(
            select(func.coalesce(func.sum(q.cogs_amount()), 0))
            .select_from(StockMove).outerjoin(q.Original, q.join_original())
            .where(q.tenant(tenant_id), StockMove.posted_at >= q.day_start(first),
                   StockMove.posted_at < q.day_after(last)))
        rate = _holding_rate(session, tenant_id)
        stockouts = _stockouts(session, tenant_id, first, last, item_id)
    figures = compute_kpis(Decimal(opening or 0), changes, Decimal(cogs or 0), rate, first, last)
    return InventoryKpis(first, last, end, figures.days, figures.opening_value, figures.closing_value,
                         figures.average_inventory_value, figures.cogs, figures.turnover,
                         figures.days_of_inventory, rate, figures.carrying_cost, stockouts)
