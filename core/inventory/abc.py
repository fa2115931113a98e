"""ABC classification as a pure function: plain usage values in, classes out.

Annual usage value of an item = the cost of its ``issue`` moves posted in the 365 days
ending on ``as_of`` (UTC days ``as_of − 364`` … ``as_of``), net of reversed issues: the
issue quantity × the unit cost the ledger charged (FIFO or moving average). Every item
of the tenant is classified; an item with no usage is a C.

The rule (Pareto by annual usage value): sort items by usage value, highest first
(ties by sku), and walk down the list keeping the running total of the items
*before* the current one. An item is

* **A** while that running total is below ``a_share`` of the grand total (so the item
  that crosses 80 % is still an A: A covers at least the top 80 % of value),
* **B** while it is below ``a_share + b_share`` (the next ~15 %),
* **C** otherwise, and always when its own usage value is zero (never used, or only
  used at zero cost: there is nothing to rank).

Comparisons are done on exact decimals (``running < share × total``) so no rounding
decides a class; the shares reported are rounded to 6 places for reading only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput
from core.inventory import stock_queries as q
from core.inventory.models import StockMove

DEFAULT_A_SHARE = Decimal("0.80")
DEFAULT_B_SHARE = Decimal("0.15")
SHARE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class ItemUsage:
    """One item's issues over the window: total quantity and total value at cost."""

    item_id: uuid.UUID
    sku: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class AbcRow:
    item_id: uuid.UUID
    sku: str
    annual_quantity: Decimal
    annual_value: Decimal
    share: Decimal
    cumulative_share: Decimal
    abc_class: str


def check_shares(a_share: Decimal, b_share: Decimal) -> None:
    """Both shares in (0, 1) and together at most 1; 422 naming the share at fault."""
    if not Decimal(0) < a_share < Decimal(1):
        raise InvalidInput("a_share must be between 0 and 1 (exclusive)", "a_share")
    if not Decimal(0) <= b_share < Decimal(1):
        raise InvalidInput("b_share must be between 0 (inclusive) and 1 (exclusive)", "b_share")
    if a_share + b_share > Decimal(1):
        raise InvalidInput("a_share + b_share must not exceed 1", "b_share")


def classify(
    usages: Sequence[ItemUsage],
    a_share: Decimal = DEFAULT_A_SHARE,
    b_share: Decimal = DEFAULT_B_SHARE,
) -> list[AbcRow]:
    """Every item with its class, highest usage value first (see the module docstring)."""
    check_shares(a_share, b_share)
    ordered = sorted(usages, key=lambda u: (-u.value, u.sku))
    total = sum((u.value for u in ordered), Decimal(0))
    rows: list[AbcRow] = []
    running = Decimal(0)
    for usage in ordered:
        if usage.value <= 0 or total <= 0:
            klass = "C"
        elif running < a_share * total:
            klass = "A"
        elif running < (a_share + b_share) * total:
            klass = "B"
        else:
            klass = "C"
        running += usage.value
        share = (usage.value / total).quantize(SHARE_PLACES) if total > 0 else Decimal(0)
        cumulative = (running / total).quantize(SHARE_PLACES) if total > 0 else Decimal(0)
        rows.append(AbcRow(usage.item_id, usage.sku, usage.quantity, usage.value,
                           share, cumulative, klass))
    return rows


WINDOW_DAYS = 365


def window(as_of: date) -> tuple[date, date]:
    """The first and last day of the 365-day window ending on ``as_of``."""
    return as_of - timedelta(days=WINDOW_DAYS - 1), as_of


def annual_usage(session: Session, tenant_id: uuid.UUID, as_of: date) -> list[ItemUsage]:
    """Every item with its issue quantity and value over the window (zero when unused)."""
    first, last = window(as_of)
    issue = q.effective_kind() == "issue"
    # An issue takes stock out (+ usage); its reversal brings it back (− usage).
    quantity = func.sum(-q.quantity_change()).filter(issue)
    value = func.sum(case((q.OUTBOUND, StockMove.total_cost), (q.INBOUND, -StockMove.total_cost),
                          else_=literal(0))).filter(issue)
    usage = (
        select(StockMove.item_id, quantity.label("quantity"), value.label("value"))
        .outerjoin(q.Original, q.join_original())
        .where(q.tenant(tenant_id), StockMove.posted_at >= q.day_start(first),
               StockMove.posted_at < q.day_after(last))
        .group_by(StockMove.item_id)
        .subquery()
    )
    rows = session.execute(
        select(Item.id, Item.sku, func.coalesce(usage.c.quantity, 0), func.coalesce(usage.c.value, 0))
        .outerjoin(usage, and_(usage.c.item_id == Item.id))
        .where(Item.tenant_id == tenant_id)
    )
    return [ItemUsage(item_id, sku, Decimal(qty), Decimal(val)) for item_id, sku, qty, val in rows]


def item_classes(session: Session, tenant_id: uuid.UUID, as_of: date,
                 a_share: Decimal = DEFAULT_A_SHARE, b_share: Decimal = DEFAULT_B_SHARE) -> dict[uuid.UUID, str]:
    """Item id → class, inside an open transaction (used by counts of an ABC class)."""
    return {r.item_id: r.abc_class for r in classify(annual_usage(session, tenant_id, as_of), a_share, b_share)}


@dataclass(frozen=True)
class ClassTotal:
    abc_class: str
    items: int
    annual_value: Decimal
    share: Decimal


@dataclass(frozen=True)
class AbcReport:
    as_of: date
    window_start: date
    a_share: Decimal
    b_share: Decimal
    total_value: Decimal
    classes: list[ClassTotal]
    items: list[AbcRow]


def abc_report(tenant_id: uuid.UUID, as_of: date | None = None, a_share: Decimal = DEFAULT_A_SHARE,
               b_share: Decimal = DEFAULT_B_SHARE, abc_class: str | None = None) -> AbcReport:
    """The tenant's items classified A/B/C by annual usage value, with per-class totals."""
    check_shares(a_share, b_share)
    if abc_class is not None and abc_class not in ("A", "B", "C"):
        raise InvalidInput("abc_class must be one of: A, B, C", "abc_class")
    day = as_of or date.today()
    with db.tenant_session(tenant_id) as session:
        rows = classify(annual_usage(session, tenant_id, day), a_share, b_share)
    total = sum((r.annual_value for r in rows), Decimal(0))
    classes = []
    for klass in ("A", "B", "C"):
        mine = [r for r in rows if r.abc_class == klass]
        value = sum((r.annual_value for r in mine), Decimal(0))
        share = (value / total).quantize(SHARE_PLACES) if total > 0 else Decimal(0)
        classes.append(ClassTotal(klass, len(mine), value, share))
    shown = [r for r in rows if abc_class is None or r.abc_class == abc_class]
    return AbcReport(day, window(day)[0], a_share, b_share, total, classes, shown)
