"""Resolving what a request names: items by sku or id, locations by id or code, subtrees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core.catalog.models import Item, Location
from core.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class StockItem:
    """What the ledger needs to know about an item (also what ``choose_lots`` receives)."""

    id: uuid.UUID
    sku: str
    tracking: str
    standard_cost: Decimal
    allow_negative_stock: bool
    shelf_life_days: int | None

    def default_expiry(self, today: date) -> date | None:
        """Expiry of a lot received today, from the item's shelf life (None without one)."""
        return today + timedelta(days=self.shelf_life_days) if self.shelf_life_days else None


@dataclass(frozen=True)
class LocationRef:
    id: uuid.UUID
    code: str
    plant_id: uuid.UUID


def as_uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    """The value as an id, or None when it is not one (then it is a code or a sku)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    if len(value) < 32:  # shorter than any form of an id: spare the exception
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


_ITEM_COLUMNS = (Item.id, Item.sku, Item.tracking, Item.standard_cost, Item.allow_negative_stock,
                 Item.shelf_life_days)


def find_stock_item(session: Session, tenant_id: uuid.UUID, ref: str, field: str = "sku",
                    missing: type[InvalidInput] | type[NotFound] = InvalidInput) -> StockItem:
    """The item with this sku (or id); ``missing`` says which error names ``field``."""
    as_id = as_uuid(ref)
    match = Item.sku == ref if as_id is None else or_(Item.id == as_id, Item.sku == ref)
    row = session.execute(select(*_ITEM_COLUMNS).where(Item.tenant_id == tenant_id, match)).first()
    if row is None:
        raise missing(f"no item {ref!r}", field)
    return StockItem(*row)


def resolve_locations(
    session: Session, tenant_id: uuid.UUID, refs: dict[str, str],
    missing: type[InvalidInput] | type[NotFound] = InvalidInput,
) -> dict[str, LocationRef]:
    """Each ``field → id or code`` resolved in one query.

    A code is unique per plant: a code found in several plants is ambiguous (422 naming
    the field, asking for the id); an unknown one is ``missing`` naming the field.
    """
    if not refs:
        return {}
    ids, codes = location_keys(refs)
    query: Select[tuple[uuid.UUID, str, uuid.UUID]] = select(Location.id, Location.code, Location.plant_id).where(
        Location.tenant_id == tenant_id, or_(Location.id.in_(ids), Location.code.in_(codes)),
    )
    return match_locations(refs, [LocationRef(*r) for r in session.execute(query)], missing)


def location_keys(refs: dict[str, str]) -> tuple[list[uuid.UUID], list[str]]:
    """The ids and the (upper-cased) codes to look the references up by."""
    ids = [i for i in (as_uuid(r) for r in refs.values()) if i is not None]
    return ids, sorted({r.strip().upper() for r in refs.values()})


def match_locations(refs: dict[str, str], rows: list[LocationRef],
                    missing: type[InvalidInput] | type[NotFound] = InvalidInput) -> dict[str, LocationRef]:
    """Each reference's location among ``rows``: by id, else by code (one plant only)."""
    found: dict[str, LocationRef] = {}
    for field, ref in refs.items():
        as_id, code = as_uuid(ref), ref.strip().upper()
        matches = [r for r in rows if r.id == as_id] or list({r.id: r for r in rows if r.code == code}.values())
        if not matches:
            raise missing(f"no location {ref!r}", field)
        if len(matches) > 1:
            raise InvalidInput(f"location code {code!r} exists in {len(matches)} plants: "
                               f"give the location's id", field)
        found[field] = matches[0]
    return found


def find_location_ref(session: Session, tenant_id: uuid.UUID, ref: str, field: str = "location",
                      missing: type[InvalidInput] | type[NotFound] = NotFound) -> LocationRef:
    """One location by id or code (for filters: an unknown one is 404 by default)."""
    return resolve_locations(session, tenant_id, {field: ref}, missing)[field]


def subtree_ids(tenant_id: uuid.UUID, root: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """SELECT of the ids of ``root`` and every location below it (a recursive CTE)."""
    tree = (
        select(Location.id)
        .where(Location.tenant_id == tenant_id, Location.id == root)
        .cte("location_tree", recursive=True)
    )
    child = select(Location.id).where(Location.tenant_id == tenant_id, Location.parent_id == tree.c.id)
    tree = tree.union_all(child)
    return select(tree.c.id)
