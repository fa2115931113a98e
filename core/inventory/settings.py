"""Per-tenant inventory settings: the valuation method and the holding rate.

Without a row a tenant values stock FIFO with a holding rate of 25 % a year (the
textbook carrying-cost rate, used by later KPIs). Changing the method converts the
stock already held, under the lock of each item's valuation row, so postings and the
change serialize: to moving average nothing is needed (the valuation row already holds
quantity and value); to FIFO each item's open stock becomes one layer at its average cost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core import db
from core.errors import InvalidInput
from core.inventory.models import VALUATION_METHODS, CostLayer, InventorySettings, ItemValuation
from core.inventory.move_input import amount
from core.inventory.valuation_math import money

DEFAULT_METHOD = "fifo"
DEFAULT_HOLDING_RATE = Decimal("0.25")


@dataclass(frozen=True)
class SettingsView:
    valuation_method: str
    holding_rate_per_year: Decimal
    updated_by: uuid.UUID | None
    updated_at: datetime | None


def valuation_method(session: Session, tenant_id: uuid.UUID) -> str:
    """The tenant's valuation method (``fifo`` without a settings row)."""
    method = session.scalar(select(InventorySettings.valuation_method)
                            .where(InventorySettings.tenant_id == tenant_id))
    return method or DEFAULT_METHOD


def _view(row: InventorySettings | None) -> SettingsView:
    if row is None:
        return SettingsView(DEFAULT_METHOD, DEFAULT_HOLDING_RATE, None, None)
    return SettingsView(row.valuation_method, row.holding_rate_per_year, row.updated_by, row.updated_at)


def _row(session: Session, tenant_id: uuid.UUID) -> InventorySettings | None:
    query = select(InventorySettings).where(InventorySettings.tenant_id == tenant_id)
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def get_inventory_settings(tenant_id: uuid.UUID) -> SettingsView:
    """The tenant's settings, defaults included."""
    with db.tenant_session(tenant_id) as session:
        return _view(_row(session, tenant_id))


def _convert_to_fifo(session: Session, tenant_id: uuid.UUID) -> None:
    """Each item valued at moving average becomes one FIFO layer at its average cost."""
    rows = session.scalars(
        select(ItemValuation).where(ItemValuation.tenant_id == tenant_id,
                                    ItemValuation.method != "fifo")
        .order_by(ItemValuation.item_id).with_for_update()
    ).all()
    for row in rows:
        session.execute(update(CostLayer).where(
            CostLayer.tenant_id == tenant_id, CostLayer.item_id == row.item_id, CostLayer.remaining > 0,
        ).values(remaining=0, remaining_value=0))
        if row.quantity > 0:
            session.add(CostLayer(
                tenant_id=tenant_id, id=uuid.uuid4(), item_id=row.item_id, move_id=None,
                quantity=row.quantity, remaining=row.quantity, remaining_value=row.value,
                unit_cost=money(row.value / row.quantity),
            ))
        row.method = "fifo"


def update_inventory_settings(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> SettingsView:
    """Change the method and/or the holding rate (owner and admin, checked by the web layer)."""
    unknown = sorted(set(raw) - {"valuation_method", "holding_rate_per_year"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a setting", unknown[0])
    with db.tenant_session(tenant_id, user_id) as session:
        current = _view(_row(session, tenant_id))
        method = raw.get("valuation_method", current.valuation_method)
        if method not in VALUATION_METHODS:
            raise InvalidInput(f"valuation_method must be one of: {', '.join(VALUATION_METHODS)}",
                               "valuation_method")
        rate = current.holding_rate_per_year
        if raw.get("holding_rate_per_year") is not None:
            rate = amount(raw["holding_rate_per_year"], "holding_rate_per_year", positive=False)
            if rate > 10:
                raise InvalidInput("holding_rate_per_year is a fraction a year, at most 10",
                                   "holding_rate_per_year")
        if method != current.valuation_method:
            if method == "fifo":
                _convert_to_fifo(session, tenant_id)
            else:
                session.execute(
                    update(ItemValuation).where(ItemValuation.tenant_id == tenant_id).values(method=method)
                )
        values = {"valuation_method": method, "holding_rate_per_year": rate, "updated_by": user_id,
                  "updated_at": func.now()}
        session.execute(insert(InventorySettings).values(tenant_id=tenant_id, **values)
                        .on_conflict_do_update(index_elements=["tenant_id"], set_=values))
        session.flush()
        return _view(_row(session, tenant_id))
