"""The pharma lab's hook implementations (the contract is core/hooks.py).

Each is called only for tenants that enabled the plugin.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from core.alerts import Alert
from core.hooks import hookimpl
from core.inventory.lot_allocation import LotCandidate, first_received_first
from core.inventory.move_types import LotRef, PlannedMove
from core.planning.mrp_input import SupplyRemoval
from plugins.pharma_lab import alerts, quarantine, reagents
from plugins.pharma_lab.settings import ensure_settings


@hookimpl
def register_routes() -> list[Any]:
    from plugins.pharma_lab.routes import handlers

    return list(handlers)


@hookimpl
def register_pages() -> list[Any]:
    from plugins.pharma_lab.pages import handlers

    return list(handlers)


@hookimpl
def plugin_enabled(tenant_id: uuid.UUID, session: Any) -> None:
    ensure_settings(session, tenant_id)


@hookimpl
def initial_lot_status(tenant_id: uuid.UUID, item: Any, lot_code: str, session: Any) -> str | None:
    # Nothing received is used before QC has looked at it.
    return "quarantine"


@hookimpl
def before_lot_status_change(tenant_id: uuid.UUID, lot: LotRef, new_status: str, user_id: uuid.UUID | None,
                             session: Any) -> list[str]:
    return quarantine.status_change_refusals(lot, new_status)


@hookimpl
def before_post_move(tenant_id: uuid.UUID, move: PlannedMove, session: Any) -> list[str]:
    refusals = quarantine.receipt_refusals(move)
    if move.kind == "issue" and move.lot is not None and move.reverses_move_id is None:
        refusal = reagents.in_use_refusal(session, tenant_id, move.item.id, move.lot.id, move.lot.code,
                                          move.lot.expiry_date, date.today())
        if refusal:
            refusals.append(refusal)
    return refusals


@hookimpl
def choose_lots(tenant_id: uuid.UUID, item: Any, location: Any, quantity: Decimal, candidates: list[LotCandidate],
                session: Any) -> list[tuple[uuid.UUID, Decimal]] | None:
    """Leave out opened lots past their in-use expiry; otherwise let others (or FIFO) decide."""
    gone = reagents.in_use_expired_lots(session, tenant_id, date.today())
    usable = [c for c in candidates if c.lot_id not in gone]
    if len(usable) == len(candidates) or sum((c.available for c in usable), Decimal(0)) < quantity:
        return None  # nothing to leave out, or too little left: the posting refuses with the reason
    return first_received_first(usable, quantity)


@hookimpl
def adjust_supply(tenant_id: uuid.UUID, lots: list[Any], period_starts: list[Any], session: Any) -> list[Any]:
    gone = reagents.in_use_expired_lots(session, tenant_id, date.today())
    return [SupplyRemoval(lot.lot_id, f"lot {lot.lot_code} was opened and is past its in-use expiry "
                                      f"({gone[lot.lot_id]})")
            for lot in lots if lot.lot_id in gone]


@hookimpl
def daily_scan(tenant_id: uuid.UUID, today: date, session: Any) -> dict[str, Any]:
    return alerts.daily(session, tenant_id, today)


@hookimpl
def dashboard_alerts(tenant_id: uuid.UUID, session: Any) -> list[Alert]:
    return alerts.lab_alerts(session, tenant_id, date.today())


@hookimpl
def seed_demo(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    from plugins.pharma_lab.demo import seed

    seed(tenant_id, user_id)
