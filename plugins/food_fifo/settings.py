"""The tenant's food settings (alert window, automatic write-off) and each item's picking
policy (FEFO by default, FIFO where the plant says so)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import InvalidInput, NotFound
from core.inventory.refs import find_stock_item
from plugins.food_fifo.models import DEFAULT_ALERT_DAYS, DEFAULT_POLICY, POLICIES, FoodItemPolicy, FoodSettings


@dataclass(frozen=True)
class SettingsView:
    """``alert_days``: lots expiring within this many days raise an alert;
    ``auto_write_off``: the daily scan scraps expired stock with reason spoilage."""

    alert_days: int
    auto_write_off: bool


@dataclass(frozen=True)
class PolicyView:
    sku: str
    name: str
    policy: str
    shelf_life_days: int | None


def ensure_settings(session: Session, tenant_id: uuid.UUID) -> None:
    """The tenant's settings row with the defaults, created once (plugin_enabled)."""
    session.execute(insert(FoodSettings).values(tenant_id=tenant_id).on_conflict_do_nothing())


def read_settings(session: Session, tenant_id: uuid.UUID) -> SettingsView:
    """The tenant's settings, or the defaults when none were saved."""
    row = session.get(FoodSettings, tenant_id)
    if row is None:
        return SettingsView(DEFAULT_ALERT_DAYS, False)
    return SettingsView(row.alert_days, row.auto_write_off)


def get_settings(tenant_id: uuid.UUID) -> SettingsView:
    """The tenant's settings in a transaction of their own."""
    with db.tenant_session(tenant_id) as session:
        return read_settings(session, tenant_id)


def update_settings(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> SettingsView:
    """Change ``alert_days`` (0–365) and/or ``auto_write_off``."""
    unknown = sorted(set(raw) - {"alert_days", "auto_write_off"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a food setting", unknown[0])
    if "alert_days" in raw:
        days = raw["alert_days"]
        if type(days) is not int or not 0 <= days <= 365:
            raise InvalidInput("alert_days must be a whole number of days from 0 to 365", "alert_days")
    if "auto_write_off" in raw and type(raw["auto_write_off"]) is not bool:
        raise InvalidInput("auto_write_off must be true or false", "auto_write_off")
    with db.tenant_session(tenant_id, user_id) as session:
        ensure_settings(session, tenant_id)
        row = session.get(FoodSettings, tenant_id, with_for_update=True)
        assert row is not None
        for name, value in raw.items():
            setattr(row, name, value)
        row.updated_at, row.updated_by = func.now(), user_id
        session.flush()
        return SettingsView(row.alert_days, row.auto_write_off)


def policies_of(session: Session, tenant_id: uuid.UUID, item_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The picking policy of each item (FEFO unless set otherwise)."""
    rows: dict[uuid.UUID, str] = {item_id: policy for item_id, policy in session.execute(
        select(FoodItemPolicy.item_id, FoodItemPolicy.policy).where(
            FoodItemPolicy.tenant_id == tenant_id, FoodItemPolicy.item_id.in_(item_ids)))}
    return {item_id: rows.get(item_id, DEFAULT_POLICY) for item_id in item_ids}


def list_policies(tenant_id: uuid.UUID) -> list[PolicyView]:
    """Every lot-tracked item with its picking policy and shelf life, by sku."""
    with db.tenant_session(tenant_id) as session:
        rows = session.execute(
            select(Item.sku, Item.name, func.coalesce(FoodItemPolicy.policy, DEFAULT_POLICY), Item.shelf_life_days)
            .outerjoin(FoodItemPolicy, (FoodItemPolicy.tenant_id == Item.tenant_id)
                       & (FoodItemPolicy.item_id == Item.id))
            .where(Item.tenant_id == tenant_id, Item.tracking == "lot").order_by(Item.sku))
        return [PolicyView(*row) for row in rows]


def set_policy(tenant_id: uuid.UUID, sku: str, policy: Any) -> PolicyView:
    """Pick the item FEFO or FIFO (404 for an unknown item, 422 for one without lots)."""
    if policy not in POLICIES:
        raise InvalidInput(f"policy must be one of: {', '.join(POLICIES)}", "policy")
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, sku, "sku", NotFound)
        if item.tracking != "lot":
            raise InvalidInput(f"item {item.sku} is not lot-tracked: it has no lots to pick", "sku")
        session.execute(insert(FoodItemPolicy).values(tenant_id=tenant_id, item_id=item.id, policy=policy)
                        .on_conflict_do_update(index_elements=["tenant_id", "item_id"],
                                               set_={"policy": policy, "updated_at": func.now()}))
        name = session.scalar(select(Item.name).where(Item.tenant_id == tenant_id, Item.id == item.id))
        return PolicyView(item.sku, name or "", policy, item.shelf_life_days)
