"""The spoilage report: quantity and value written off as spoilage per item and period.

Read from the ledger: every move out of stock (scrap, issue or adjustment) whose reason
says spoilage, valued at the move's cost; a move that was reversed, and the reversal,
are left out. Periods are weeks (starting Monday) or calendar months, in UTC.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput
from core.inventory.models import StockMove

PERIODS = ("week", "month")


@dataclass(frozen=True)
class SpoilageRow:
    period_start: date
    sku: str
    name: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class SpoilageReport:
    period: str
    date_from: date
    date_to: date
    rows: list[SpoilageRow]
    by_item: dict[str, dict[str, Decimal]]
    total_value: Decimal

    def chart(self) -> dict[str, Any]:
        """Chart.js data: one stacked bar per period, one dataset (value) per item."""
        labels = sorted({r.period_start.isoformat() for r in self.rows})
        series: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for r in self.rows:
            series[r.sku][r.period_start.isoformat()] = r.value
        return {"labels": labels, "datasets": [
            {"label": sku, "data": [float(values.get(label, 0)) for label in labels]}
            for sku, values in sorted(series.items())]}


def _range(period: str, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    if period not in PERIODS:
        raise InvalidInput("period must be week or month", "period")
    end = date_to or date.today()
    start = date_from or (end - timedelta(weeks=12) if period == "week" else end.replace(day=1) - timedelta(days=365))
    if start > end:
        raise InvalidInput("from must be on or before to", "from")
    return start, end


def spoilage_report(tenant_id: uuid.UUID, period: str = "week", date_from: date | None = None,
                    date_to: date | None = None) -> SpoilageReport:
    """Spoilage per item and week or month between two dates (inclusive)."""
    start, end = _range(period, date_from, date_to)
    reversal = aliased(StockMove)
    bucket = func.date_trunc(period, StockMove.posted_at).label("bucket")
    with db.tenant_session(tenant_id) as session:
        rows = session.execute(
            select(bucket, Item.sku, Item.name, func.sum(StockMove.quantity), func.sum(StockMove.total_cost))
            .join(Item, (Item.tenant_id == StockMove.tenant_id) & (Item.id == StockMove.item_id))
            .outerjoin(reversal, and_(reversal.tenant_id == StockMove.tenant_id,
                                      reversal.reverses_move_id == StockMove.id))
            .where(StockMove.tenant_id == tenant_id, StockMove.from_location_id.is_not(None),
                   StockMove.to_location_id.is_(None), StockMove.reverses_move_id.is_(None),
                   reversal.id.is_(None), StockMove.reason.op("~*")(r"^\s*spoilage\M"),
                   StockMove.posted_at >= datetime.combine(start, time.min, UTC),
                   StockMove.posted_at < datetime.combine(end + timedelta(days=1), time.min, UTC))
            .group_by(bucket, Item.sku, Item.name).order_by(bucket, Item.sku)).all()
    found = [SpoilageRow(b.date(), sku, name, q, v) for b, sku, name, q, v in rows]
    by_item: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"quantity": Decimal(0), "value": Decimal(0)})
    for r in found:
        by_item[r.sku]["quantity"] += r.quantity
        by_item[r.sku]["value"] += r.value
    return SpoilageReport(period, start, end, found, dict(by_item), sum((r.value for r in found), Decimal(0)))
