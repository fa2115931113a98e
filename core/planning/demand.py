"""Independent demand: sales orders with dated lines, and forecasts per item and bucket.

Forecasts are consumed by orders the textbook way, in the MPS: in each bucket the gross
requirement is the greater of forecast and booked orders (only orders inside the demand
time fence). Orders therefore never add to a forecast that already expects them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.catalog.items import find_item
from core.catalog.models import Item
from core.errors import Conflict, InvalidInput, NotFound
from core.planning.models import FirmPlannedReceipt, Forecast, SalesOrder, SalesOrderLine, item_of
from core.tenancy.models import Plant


@dataclass(frozen=True)
class DemandLineView:
    id: uuid.UUID
    line_no: int
    sku: str
    quantity: Decimal
    due_date: date


@dataclass(frozen=True)
class SalesOrderView:
    id: uuid.UUID
    number: str
    customer: str
    plant_id: uuid.UUID
    lines: list[DemandLineView]


@dataclass(frozen=True)
class BucketQuantity:
    id: uuid.UUID
    sku: str
    plant_id: uuid.UUID
    period_start: date
    quantity: Decimal


def positive_quantity(value: Any, field: str, allow_zero: bool = False) -> Decimal:
    """An exact decimal quantity > 0 (or ≥ 0); 422 naming ``field`` otherwise."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise InvalidInput(f"{field} must be a number", field) from exc
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise InvalidInput(f"{field} must be {'at least 0' if allow_zero else 'greater than 0'}", field)
    if number >= Decimal("1e14") or number.as_tuple().exponent < -6:  # type: ignore[operator]
        raise InvalidInput(f"{field} is out of range (at most 14 digits, 6 decimals)", field)
    return number


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", field) from exc


def resolve_plant(session: Session, tenant_id: uuid.UUID, plant_id: uuid.UUID | None) -> uuid.UUID:
    """The given plant if it is the tenant's, else the tenant's first plant."""
    query = select(Plant.id).where(Plant.tenant_id == tenant_id)
    query = query.where(Plant.id == plant_id) if plant_id else query.order_by(Plant.created_at).limit(1)
    found = session.scalars(query).first()
    if found is None:
        raise InvalidInput(f"plant {plant_id} does not exist", "plant_id")
    return found


def _order_view(session: Session, order: SalesOrder) -> SalesOrderView:
    rows = session.execute(
        select(SalesOrderLine, Item.sku).join(Item, item_of(SalesOrderLine))
        .where(SalesOrderLine.tenant_id == order.tenant_id, SalesOrderLine.order_id == order.id)
        .order_by(SalesOrderLine.line_no))
    lines = [DemandLineView(line.id, line.line_no, sku, line.quantity, line.due_date) for line, sku in rows]
    return SalesOrderView(order.id, order.number, order.customer, order.plant_id, lines)


def create_sales_order(tenant_id: uuid.UUID, raw: dict[str, Any]) -> SalesOrderView:
    """A customer order with one or more dated lines, all checked before anything is saved."""
    number, customer = str(raw.get("number", "")).strip(), str(raw.get("customer", "")).strip()
    if not number:
        raise InvalidInput("number must not be empty", "number")
    if not customer:
        raise InvalidInput("customer must not be empty", "customer")
    lines = raw.get("lines") or []
    if not lines:
        raise InvalidInput("an order needs at least one line", "lines")
    with db.tenant_session(tenant_id) as session:
        order = SalesOrder(tenant_id=tenant_id, id=uuid.uuid4(), number=number, customer=customer,
                           plant_id=resolve_plant(session, tenant_id, raw.get("plant_id")))
        rows = []
        for n, line in enumerate(lines, start=1):
            field = f"lines[{n - 1}]"
            try:
                item = find_item(session, tenant_id, str(line.get("sku", "")))
            except NotFound as exc:
                raise InvalidInput(f"{field}.sku {line.get('sku')!r} is not an item", f"{field}.sku") from exc
            rows.append(SalesOrderLine(
                tenant_id=tenant_id, id=uuid.uuid4(), order_id=order.id, line_no=n, item_id=item.id,
                quantity=positive_quantity(line.get("quantity"), f"{field}.quantity"),
                due_date=_date(line.get("due_date"), f"{field}.due_date")))
        try:
            with session.begin_nested():
                session.add(order)
                session.flush()
                session.add_all(rows)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(f"sales order {number!r} already exists", "number") from exc
        return _order_view(session, order)


def _find_order(session: Session, tenant_id: uuid.UUID, order_id: uuid.UUID) -> SalesOrder:
    order = session.scalars(select(SalesOrder).where(
        SalesOrder.tenant_id == tenant_id, SalesOrder.id == order_id)).one_or_none()
    if order is None:
        raise NotFound(f"no sales order {order_id}", "demand")
    return order


def get_sales_order(tenant_id: uuid.UUID, order_id: uuid.UUID) -> SalesOrderView:
    """One sales order with its lines."""
    with db.tenant_session(tenant_id) as session:
        return _order_view(session, _find_order(session, tenant_id, order_id))


def delete_sales_order(tenant_id: uuid.UUID, order_id: uuid.UUID) -> None:
    """Remove an order and its lines (they stop being demand at the next run)."""
    with db.tenant_session(tenant_id) as session:
        session.delete(_find_order(session, tenant_id, order_id))


def list_sales_orders(tenant_id: uuid.UUID, sku: str | None = None, limit: int = 50,
                      offset: int = 0) -> tuple[list[SalesOrderView], int]:
    """Orders newest first, optionally only those with a line for ``sku``."""
    with db.tenant_session(tenant_id) as session:
        query = select(SalesOrder).where(SalesOrder.tenant_id == tenant_id)
        if sku:
            item = find_item(session, tenant_id, sku)
            query = query.where(SalesOrder.id.in_(select(SalesOrderLine.order_id).where(
                SalesOrderLine.tenant_id == tenant_id, SalesOrderLine.item_id == item.id)))
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        orders = session.scalars(query.order_by(SalesOrder.created_at.desc(), SalesOrder.number)
                                 .limit(limit).offset(offset))
        return [_order_view(session, o) for o in orders], total


def _upsert_bucket(model: type[Forecast] | type[FirmPlannedReceipt], tenant_id: uuid.UUID,
                   entries: list[dict[str, Any]]) -> list[BucketQuantity]:
    saved = []
    with db.tenant_session(tenant_id) as session:
        for n, entry in enumerate(entries):
            field = f"entries[{n}]"
            try:
                item = find_item(session, tenant_id, str(entry.get("sku", "")))
            except NotFound as exc:
                raise InvalidInput(f"{field}.sku {entry.get('sku')!r} is not an item", f"{field}.sku") from exc
            plant_id = resolve_plant(session, tenant_id, entry.get("plant_id"))
            start = _date(entry.get("period_start"), f"{field}.period_start")
            quantity = positive_quantity(entry.get("quantity"), f"{field}.quantity", allow_zero=True)
            row: Any = session.scalars(select(model).where(
                model.tenant_id == tenant_id, model.plant_id == plant_id, model.item_id == item.id,
                model.period_start == start)).one_or_none()
            if row is None:
                row = model(tenant_id=tenant_id, id=uuid.uuid4(), plant_id=plant_id, item_id=item.id,
                            period_start=start, quantity=quantity)
                session.add(row)
            row.quantity = quantity
            session.flush()
            saved.append(BucketQuantity(row.id, item.sku, plant_id, start, quantity))
        # A zero firm quantity means "no firm receipt here": drop the row rather than keep a 0.
        if model is FirmPlannedReceipt:
            session.execute(delete(model).where(model.tenant_id == tenant_id, model.quantity == 0))
    return saved


def save_forecasts(tenant_id: uuid.UUID, entries: list[dict[str, Any]]) -> list[BucketQuantity]:
    """Create or replace forecasts: one quantity per (plant, item, bucket start date)."""
    return _upsert_bucket(Forecast, tenant_id, entries)


def save_firm_receipts(tenant_id: uuid.UUID, entries: list[dict[str, Any]]) -> list[BucketQuantity]:
    """Set firm MPS quantities per (plant, item, bucket start); 0 removes one."""
    return _upsert_bucket(FirmPlannedReceipt, tenant_id, entries)


def list_forecasts(tenant_id: uuid.UUID, sku: str | None = None) -> list[BucketQuantity]:
    """Forecasts ordered by item and date."""
    with db.tenant_session(tenant_id) as session:
        query = (select(Forecast, Item.sku)
                 .join(Item, item_of(Forecast))
                 .where(Forecast.tenant_id == tenant_id))
        if sku:
            query = query.where(Item.id == find_item(session, tenant_id, sku).id)
        rows = session.execute(query.order_by(Item.sku, Forecast.period_start))
        return [BucketQuantity(f.id, s, f.plant_id, f.period_start, f.quantity) for f, s in rows]


def delete_forecast(tenant_id: uuid.UUID, forecast_id: uuid.UUID) -> None:
    """Remove one forecast entry."""
    with db.tenant_session(tenant_id) as session:
        deleted = session.execute(delete(Forecast).where(
            Forecast.tenant_id == tenant_id, Forecast.id == forecast_id))
        if deleted.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"no forecast {forecast_id}", "forecast")
