"""Bills of material: each parent's single-level list of components."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.items import find_item
from core.catalog.models import BomLine, Item
from core.errors import InvalidInput


@dataclass(frozen=True)
class BomLineView:
    component_id: uuid.UUID
    sku: str
    name: str
    quantity: Decimal
    scrap_pct: Decimal


def _decimal(value: Any, field: str, upper: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput(f"{field} must be a number", field) from exc
    if not number.is_finite() or number < 0 or (upper is not None and number >= upper):
        raise InvalidInput(f"{field} must be between 0 and {upper or 'any'}", field)
    return number


def _ancestors(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID) -> set[uuid.UUID]:
    """Every item that uses ``item_id`` directly or indirectly (it and its parents up)."""
    found, frontier = {item_id}, {item_id}
    while frontier:
        parents = set(session.scalars(select(BomLine.parent_id).where(
            BomLine.tenant_id == tenant_id, BomLine.component_id.in_(frontier))))
        frontier = parents - found
        found |= parents
    return found


def read_bom(tenant_id: uuid.UUID, ref: str) -> list[BomLineView]:
    """The components of the item ``ref`` (id or sku), by sku."""
    with db.tenant_session(tenant_id) as session:
        parent = find_item(session, tenant_id, ref)
        rows = session.execute(
            select(BomLine, Item).join(Item, (Item.tenant_id == BomLine.tenant_id) & (Item.id == BomLine.component_id))
            .where(BomLine.tenant_id == tenant_id, BomLine.parent_id == parent.id).order_by(Item.sku))
        return [BomLineView(item.id, item.sku, item.name, line.quantity, line.scrap_pct) for line, item in rows]


def replace_bom(tenant_id: uuid.UUID, ref: str, lines: list[dict[str, Any]]) -> list[BomLineView]:
    """Replace the item's components; refuses unknown skus, duplicates and cycles."""
    with db.tenant_session(tenant_id) as session:
        parent = find_item(session, tenant_id, ref)
        ancestors = _ancestors(session, tenant_id, parent.id)
        seen: set[uuid.UUID] = set()
        new_rows = []
        for n, line in enumerate(lines):
            field = f"lines[{n}]"
            try:
                component = find_item(session, tenant_id, str(line.get("sku", "")))
            except Exception as exc:
                raise InvalidInput(f"{field}.sku {line.get('sku')!r} is not an item", f"{field}.sku") from exc
            if component.id in ancestors:
                raise InvalidInput(f"{field}.sku {component.sku!r} would make the bill of material a cycle",
                                   f"{field}.sku")
            if component.id in seen:
                raise InvalidInput(f"{field}.sku {component.sku!r} is listed twice", f"{field}.sku")
            seen.add(component.id)
            quantity = _decimal(line.get("quantity"), f"{field}.quantity")
            if quantity == 0:
                raise InvalidInput(f"{field}.quantity must be greater than 0", f"{field}.quantity")
            scrap = _decimal(line.get("scrap_pct", 0), f"{field}.scrap_pct", Decimal(100))
            new_rows.append(BomLine(tenant_id=tenant_id, id=uuid.uuid4(), parent_id=parent.id,
                                    component_id=component.id, quantity=quantity, scrap_pct=scrap))
        session.execute(delete(BomLine).where(BomLine.tenant_id == tenant_id, BomLine.parent_id == parent.id))
        session.add_all(new_rows)
    return read_bom(tenant_id, ref)
