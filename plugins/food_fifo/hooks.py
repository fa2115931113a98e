"""The food plugin's hook implementations: each a thin call into the module that owns the
rule. Called only for tenants that enabled ``food_fifo`` (see core/hooks.py)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from core.alerts import Alert
from core.hooks import hookimpl
from core.inventory.lot_allocation import LotCandidate
from core.inventory.move_types import PlannedMove
from core.inventory.refs import StockItem
from core.planning.mrp_input import SupplyRemoval
from plugins.food_fifo import expiry, picking, supply
from plugins.food_fifo.settings import ensure_settings


@hookimpl
def plugin_enabled(tenant_id: uuid.UUID, session: Any) -> None:
    ensure_settings(session, tenant_id)


@hookimpl
def before_post_move(tenant_id: uuid.UUID, move: PlannedMove, session: Any) -> list[str]:
    return expiry.refuse_expired_issue(move, date.today())


@hookimpl
def choose_lots(tenant_id: uuid.UUID, item: StockItem, location: Any, quantity: Decimal,
                candidates: list[LotCandidate], session: Any) -> list[tuple[uuid.UUID, Decimal]] | None:
    return picking.choose(session, tenant_id, item, quantity, candidates)


@hookimpl
def daily_scan(tenant_id: uuid.UUID, today: date, session: Any) -> dict[str, Any]:
    return expiry.daily_expiry_scan(session, tenant_id, today)


@hookimpl
def dashboard_alerts(tenant_id: uuid.UUID, session: Any) -> list[Alert]:
    return expiry.expiry_alerts(session, tenant_id, date.today())


@hookimpl
def adjust_supply(tenant_id: uuid.UUID, lots: list[Any], period_starts: list[Any],
                  session: Any) -> list[SupplyRemoval]:
    return supply.dated_supply(lots, period_starts)


@hookimpl
def seed_demo(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    from plugins.food_fifo.demo import seed_food_demo

    seed_food_demo(tenant_id, user_id)


@hookimpl
def register_routes() -> list[Any]:
    from plugins.food_fifo import routes  # the web layer is loaded only by the app

    return list(routes.handlers)


@hookimpl
def register_pages() -> list[Any]:
    from plugins.food_fifo import pages  # the web layer is loaded only by the app

    return list(pages.handlers)
