"""Firming planned orders, pegging drill-down, and purchasing alerts.

A firm planned order is the planner's commitment: it becomes a purchase or work order
once execution exists; until then it is marked firm and carried into later runs as a
firm planned receipt in its due bucket, so the next plan does not plan it again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import Conflict, NotFound
from core.planning.models import (
    FirmPlannedReceipt,
    MrpRun,
    PlannedOrder,
    SalesOrder,
    SalesOrderLine,
    item_of,
    order_of_line,
)
from core.planning.mrp_results import PlannedOrderView, order_view
from core.plugins import call_hook


def _order(session: Session, tenant_id: uuid.UUID, order_id: uuid.UUID) -> tuple[PlannedOrder, Item]:
    row = session.execute(
        select(PlannedOrder, Item).join(Item, item_of(PlannedOrder))
        .where(PlannedOrder.tenant_id == tenant_id, PlannedOrder.id == order_id)).first()
    if row is None:
        raise NotFound(f"no planned order {order_id}", "order")
    return row[0], row[1]


def firm_order(tenant_id: uuid.UUID, order_id: uuid.UUID, user_id: uuid.UUID | None) -> PlannedOrderView:
    """Mark a planned order firm; a plugin (APQP) may refuse through ``before_release``."""
    with db.tenant_session(tenant_id, user_id) as session:
        order, item = _order(session, tenant_id, order_id)
        if order.status == "firm":
            return order_view(order, item)
        for refusals in call_hook(session, tenant_id, "before_release", tenant_id=tenant_id, sku=item.sku,
                                  kind=order.kind, quantity=order.quantity, due_date=order.due_date,
                                  session=session):
            for reason in refusals or []:
                raise Conflict(f"order for {item.sku} cannot be released: {reason}", "order")
        order.status, order.firmed_at = "firm", datetime.now(UTC)
        run = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id, MrpRun.id == order.run_id)).one()
        firm = session.scalars(select(FirmPlannedReceipt).where(
            FirmPlannedReceipt.tenant_id == tenant_id, FirmPlannedReceipt.plant_id == run.plant_id,
            FirmPlannedReceipt.item_id == item.id, FirmPlannedReceipt.period_start == order.due_date)).one_or_none()
        if firm is None:
            session.add(FirmPlannedReceipt(tenant_id=tenant_id, id=uuid.uuid4(), plant_id=run.plant_id,
                                           item_id=item.id, period_start=order.due_date, quantity=order.quantity))
        else:
            firm.quantity += order.quantity
        return order_view(order, item)


@dataclass(frozen=True)
class PegNode:
    """One step up the pegging chain: a parent planned order or the demand itself."""

    kind: str  # "order" | "sales_order" | "forecast"
    sku: str
    period: int
    quantity: Decimal
    order: PlannedOrderView | None = None
    reference: str | None = None
    parents: tuple[PegNode, ...] = ()


def _demand_nodes(session: Session, tenant_id: uuid.UUID, run: MrpRun, item: Item, period: int,
                  quantity: Decimal) -> list[PegNode]:
    start = run.period_starts[period - 1]
    end = run.period_starts[period] if period < len(run.period_starts) else date.max
    low = date.min if period == 1 else start  # period 1 also holds past-due lines
    lines = session.execute(
        select(SalesOrder.number, SalesOrder.customer, SalesOrderLine.quantity, SalesOrderLine.due_date)
        .join(SalesOrder, order_of_line())
        .where(SalesOrderLine.tenant_id == tenant_id, SalesOrderLine.item_id == item.id,
               SalesOrder.plant_id == run.plant_id, SalesOrderLine.due_date >= low, SalesOrderLine.due_date < end)
        .order_by(SalesOrderLine.due_date)).all()
    nodes = [PegNode("sales_order", item.sku, period, q, reference=f"{n} ({c}, due {d.isoformat()})")
             for n, c, q, d in lines]
    booked = sum((q for _, _, q, _ in lines), Decimal(0))
    if quantity > booked:
        nodes.append(PegNode("forecast", item.sku, period, quantity - booked, reference="forecast"))
    return nodes


def peg_chain(tenant_id: uuid.UUID, order_id: uuid.UUID, depth: int = 12) -> PegNode:
    """The order and, up the BOM, every order and customer order it was planned for."""
    with db.tenant_session(tenant_id) as session:
        order, item = _order(session, tenant_id, order_id)
        run = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id, MrpRun.id == order.run_id)).one()
        return _node(session, tenant_id, run, order, item, depth)


def _node(session: Session, tenant_id: uuid.UUID, run: MrpRun, order: PlannedOrder, item: Item,
          depth: int) -> PegNode:
    parents: list[PegNode] = []
    for peg in order.pegging if depth > 0 else []:
        quantity = Decimal(str(peg["quantity"]))
        if peg["source"] == "demand":
            parents.extend(_demand_nodes(session, tenant_id, run, item, int(peg["period"]), quantity))
            continue
        parent_sku = peg.get("parent_sku") or peg.get("parent") or peg["sku"]
        parent_period = int(peg.get("parent_release_period") or peg["period"])
        found = session.execute(
            select(PlannedOrder, Item).join(Item, item_of(PlannedOrder))
            .where(PlannedOrder.tenant_id == tenant_id, PlannedOrder.run_id == run.id, Item.sku == parent_sku,
                   PlannedOrder.release_period == parent_period)).first()
        if found is not None:
            parents.append(_node(session, tenant_id, run, found[0], found[1], depth - 1))
    return PegNode("order", item.sku, order.receipt_period, order.quantity, order=order_view(order, item),
                   parents=tuple(parents))


@dataclass(frozen=True)
class PurchasingAlert:
    order_id: uuid.UUID
    sku: str
    name: str
    quantity: Decimal
    release_date: date
    due_date: date
    days_late: int


def purchasing_alerts(tenant_id: uuid.UUID, today: date | None = None) -> list[PurchasingAlert]:
    """Planned buy orders of each plant's latest run whose release date is today or past."""
    today = today or date.today()
    with db.tenant_session(tenant_id) as session:
        latest = (select(MrpRun.plant_id, MrpRun.id, MrpRun.created_at)
                  .where(MrpRun.tenant_id == tenant_id, MrpRun.status == "succeeded")
                  .distinct(MrpRun.plant_id).order_by(MrpRun.plant_id, MrpRun.created_at.desc()).subquery())
        rows = session.execute(
            select(PlannedOrder, Item).join(Item, item_of(PlannedOrder))
            .where(PlannedOrder.tenant_id == tenant_id, PlannedOrder.run_id.in_(select(latest.c.id)),
                   PlannedOrder.kind == "buy", PlannedOrder.status == "planned",
                   PlannedOrder.release_date <= today)
            .order_by(PlannedOrder.release_date, Item.sku))
        return [PurchasingAlert(o.id, i.sku, i.name, o.quantity, o.release_date, o.due_date,
                                (today - o.release_date).days) for o, i in rows]


def describe(node: PegNode) -> dict[str, Any]:
    """A peg chain as nested plain data (for JSON)."""
    return {"kind": node.kind, "sku": node.sku, "period": node.period, "quantity": node.quantity,
            "reference": node.reference, "order_id": node.order.id if node.order else None,
            "parents": [describe(p) for p in node.parents]}
