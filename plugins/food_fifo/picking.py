"""Which lots to take: FEFO (first expiring first, then oldest receipt) or FIFO (oldest
receipt first) per item, for the ledger's ``choose_lots`` and for pick lists.

A pick list answers "take this much of lot L at location X" for an issue of an item, or
for every component of a batch (the BOM exploded for the batch quantity). Lots past
their date on the pick day, or not ``available``, are never proposed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import BomLine, Item, Location
from core.errors import InvalidInput, NotFound
from core.inventory.lot_allocation import LotCandidate, lot_candidates
from core.inventory.models import StockBalance
from core.inventory.refs import StockItem, find_stock_item
from plugins.food_fifo.settings import policies_of

FAR = date.max


def pick_order(policy: str) -> Any:
    """The sort key of candidates under ``policy`` (anything with expiry and receipt)."""
    if policy == "fifo":
        return lambda c: (c.received_at, c.code)
    return lambda c: (c.expiry_date is None, c.expiry_date or FAR, c.received_at, c.code)


def allocate(candidates: list[Any], quantity: Decimal, policy: str) -> list[tuple[Any, Decimal]]:
    """Take ``quantity`` from the candidates in policy order (less when they run out)."""
    left, taken = quantity, []
    for candidate in sorted(candidates, key=pick_order(policy)):
        if left <= 0:
            break
        take = min(left, candidate.available)
        if take > 0:
            taken.append((candidate, take))
            left -= take
    return taken


def choose(session: Session, tenant_id: uuid.UUID, item: StockItem, quantity: Decimal,
           candidates: list[LotCandidate]) -> list[tuple[uuid.UUID, Decimal]]:
    """The ``choose_lots`` answer: the item's policy applied to core's candidates."""
    policy = policies_of(session, tenant_id, [item.id])[item.id]
    return [(c.lot_id, q) for c, q in allocate(candidates, quantity, policy)]


@dataclass(frozen=True)
class PlacedLot:
    """A usable lot of an item at one location, with what is available there."""

    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID
    code: str
    expiry_date: date | None
    received_at: datetime
    available: Decimal


@dataclass(frozen=True)
class PickLine:
    sku: str
    location: str
    location_id: uuid.UUID
    lot: str
    expiry_date: date | None
    received_on: date
    quantity: Decimal


@dataclass(frozen=True)
class PickList:
    """What to take for ``quantity`` of ``sku``; ``short`` is what the usable lots lack."""

    sku: str
    policy: str
    quantity: Decimal
    lines: list[PickLine]
    short: Decimal


def placed_lots(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, on: date,
                location_ids: set[uuid.UUID] | None = None) -> list[PlacedLot]:
    """Every usable lot of the item in every location holding it, usable on day ``on``."""
    rows = session.execute(select(StockBalance.location_id, Location.code).join(
        Location, (Location.tenant_id == StockBalance.tenant_id) & (Location.id == StockBalance.location_id))
        .where(StockBalance.tenant_id == tenant_id, StockBalance.item_id == item_id,
               StockBalance.lot_id.is_not(None), StockBalance.quantity > 0).distinct())
    found = []
    for location_id, code in rows:
        if location_ids is not None and location_id not in location_ids:
            continue
        for c in lot_candidates(session, tenant_id, item_id, location_id, on):
            found.append(PlacedLot(location_id, code, c.lot_id, c.code, c.expiry_date, c.received_at, c.available))
    return found


def pick_from(sku: str, policy: str, quantity: Decimal, lots: list[PlacedLot]) -> PickList:
    """The pick list of ``quantity`` from ``lots`` under ``policy``."""
    taken = allocate(lots, quantity, policy)
    lines = [PickLine(sku, lot.location_code, lot.location_id, lot.code, lot.expiry_date, lot.received_at.date(), q)
             for lot, q in taken]
    return PickList(sku, policy, quantity, lines, quantity - sum((q for _, q in taken), Decimal(0)))


def _positive(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{field} must be greater than 0", field)
    return value


def issue_pick_list(tenant_id: uuid.UUID, sku: str, quantity: Decimal, on: date | None = None) -> PickList:
    """Which lots to take, and where, to issue ``quantity`` of ``sku`` on day ``on``."""
    quantity = _positive(quantity, "quantity")
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, sku, "sku", NotFound)
        if item.tracking != "lot":
            raise InvalidInput(f"item {item.sku} is not lot-tracked: there are no lots to pick", "sku")
        policy = policies_of(session, tenant_id, [item.id])[item.id]
        return pick_from(item.sku, policy, quantity, placed_lots(session, tenant_id, item.id, on or date.today()))


@dataclass(frozen=True)
class Requirement:
    """One component of a batch: how much of it the batch consumes."""

    item_id: uuid.UUID
    sku: str
    tracking: str
    quantity: Decimal


def requirements(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID,
                 quantity: Decimal) -> list[Requirement]:
    """The item's BOM exploded one level for ``quantity`` (scrap included), by sku."""
    rows = session.execute(
        select(Item.id, Item.sku, Item.tracking, BomLine.quantity, BomLine.scrap_pct).select_from(BomLine)
        .join(Item, (Item.tenant_id == BomLine.tenant_id) & (Item.id == BomLine.component_id))
        .where(BomLine.tenant_id == tenant_id, BomLine.parent_id == item_id).order_by(Item.sku))
    return [Requirement(cid, sku, tracking, need(quantity, Decimal(str(per)), Decimal(str(scrap or 0))))
            for cid, sku, tracking, per, scrap in rows]


def need(quantity: Decimal, per: Decimal, scrap_pct: Decimal) -> Decimal:
    """A component's requirement for ``quantity`` parents, scrap included, to 6 places."""
    return (quantity * per * (1 + scrap_pct / 100)).quantize(Decimal("0.000001"))


def batch_pick_lists(tenant_id: uuid.UUID, sku: str, quantity: Decimal, on: date | None = None) -> list[PickList]:
    """The pick list of every lot-tracked component to make ``quantity`` of ``sku``."""
    quantity = _positive(quantity, "quantity")
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, sku, "sku", NotFound)
        needs = [r for r in requirements(session, tenant_id, item.id, quantity) if r.tracking == "lot"]
        if not needs:
            raise InvalidInput(f"item {item.sku} has no lot-tracked components in its bill of material", "sku")
        policies = policies_of(session, tenant_id, [r.item_id for r in needs])
        day = on or date.today()
        return [pick_from(r.sku, policies[r.item_id], r.quantity,
                          placed_lots(session, tenant_id, r.item_id, day)) for r in needs]
