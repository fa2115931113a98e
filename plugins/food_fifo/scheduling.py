"""The day's batch schedule: the latest MRP run's planned make orders released on a day,
each exploded through its BOM, with component lots allocated oldest usable first.

Orders are served in due order (then sku). Each component's lots are shared by the
day's orders: a lot's quantity is handed out once, first to the order due first, by the
component's policy (FEFO or FIFO), leaving out lots that are not available or that are
past their date on the day. A suggestion can be confirmed into a production batch that
consumes exactly the lots it shows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import Conflict, NotFound
from core.planning.models import PlannedOrder
from core.planning.mrp_results import latest_run_id
from plugins.food_fifo.batches import BatchInput, BatchRequest, BatchView, make_batch
from plugins.food_fifo.models import Batch
from plugins.food_fifo.picking import PickLine, PickList, PlacedLot, allocate, placed_lots, requirements
from plugins.food_fifo.settings import policies_of


@dataclass(frozen=True)
class Suggestion:
    """A planned make order of the day with its pick lists; ``batch`` once confirmed."""

    planned_order_id: uuid.UUID
    sku: str
    quantity: Decimal
    release_date: date
    due_date: date
    picks: list[PickList]
    untracked: dict[str, Decimal]
    batch: str | None

    @property
    def short(self) -> bool:
        return any(p.short > 0 for p in self.picks)


@dataclass(frozen=True)
class Schedule:
    run_id: uuid.UUID | None
    day: date | None
    days: list[date]
    suggestions: list[Suggestion]


def _orders(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID) -> list[tuple[PlannedOrder, str]]:
    rows = session.execute(
        select(PlannedOrder, Item.sku).join(Item, (Item.tenant_id == PlannedOrder.tenant_id)
                                            & (Item.id == PlannedOrder.item_id))
        .where(PlannedOrder.tenant_id == tenant_id, PlannedOrder.run_id == run_id, PlannedOrder.kind == "make")
        .order_by(PlannedOrder.release_date, PlannedOrder.due_date, Item.sku, PlannedOrder.id))
    return [(order, sku) for order, sku in rows]


def _take(pool: list[PlacedLot], quantity: Decimal, policy: str) -> tuple[list[PlacedLot], list[PickLine], Decimal]:
    """Allocate from the shared pool; (pool with what is left, pick lines, short)."""
    taken = allocate(pool, quantity, policy)
    used = {(lot.location_id, lot.lot_id): q for lot, q in taken}
    left = [replace(lot, available=lot.available - used.get((lot.location_id, lot.lot_id), Decimal(0)))
            for lot in pool]
    lines = [PickLine("", lot.location_code, lot.location_id, lot.code, lot.expiry_date, lot.received_at.date(), q)
             for lot, q in taken]
    return [lot for lot in left if lot.available > 0], lines, quantity - sum((q for _, q in taken), Decimal(0))


def _suggest(session: Session, tenant_id: uuid.UUID, day: date, orders: list[tuple[PlannedOrder, str]],
             made: dict[uuid.UUID, str]) -> list[Suggestion]:
    pools: dict[uuid.UUID, list[PlacedLot]] = {}
    result = []
    for order, sku in orders:
        needs = requirements(session, tenant_id, order.item_id, order.quantity)
        policies = policies_of(session, tenant_id, [n.item_id for n in needs])
        picks, untracked = [], {}
        for need in needs:
            if need.tracking != "lot":
                untracked[need.sku] = need.quantity
                continue
            if need.item_id not in pools:
                pools[need.item_id] = placed_lots(session, tenant_id, need.item_id, day)
            if order.id in made:  # already made: it takes nothing from the day's pool
                picks.append(PickList(need.sku, policies[need.item_id], need.quantity, [], Decimal(0)))
                continue
            pools[need.item_id], lines, short = _take(pools[need.item_id], need.quantity, policies[need.item_id])
            picks.append(PickList(need.sku, policies[need.item_id], need.quantity,
                                  [replace(line, sku=need.sku) for line in lines], short))
        result.append(Suggestion(order.id, sku, order.quantity, order.release_date, order.due_date, picks,
                                 untracked, made.get(order.id)))
    return result


def day_schedule(tenant_id: uuid.UUID, day: date | None = None) -> Schedule:
    """The suggested batches released on ``day`` (default: the first day with any) of the
    latest successful MRP run, with their component lots."""
    with db.tenant_session(tenant_id) as session:
        try:
            run_id = latest_run_id(session, tenant_id)
        except NotFound:
            return Schedule(None, day, [], [])
        orders = _orders(session, tenant_id, run_id)
        days = sorted({order.release_date for order, _ in orders})
        chosen = day or (days[0] if days else None)
        todays = [(o, sku) for o, sku in orders if o.release_date == chosen]
        todays.sort(key=lambda pair: (pair[0].due_date, pair[1], str(pair[0].id)))
        made = {order_id: number for order_id, number in session.execute(
            select(Batch.planned_order_id, Batch.number).where(
                Batch.tenant_id == tenant_id, Batch.planned_order_id.in_([o.id for o, _ in todays])))
                if order_id is not None}
        suggestions = _suggest(session, tenant_id, chosen, todays, made) if chosen else []
        return Schedule(run_id, chosen, days, suggestions)


def confirm_suggestion(tenant_id: uuid.UUID, planned_order_id: uuid.UUID, to_location: str,
                       number: str | None, user_id: uuid.UUID | None) -> BatchView:
    """Make the suggested batch of a planned order, consuming exactly the lots it shows."""
    with db.tenant_session(tenant_id) as session:
        order = session.scalar(select(PlannedOrder).where(PlannedOrder.tenant_id == tenant_id,
                                                          PlannedOrder.id == planned_order_id))
        if order is None or order.kind != "make":
            raise NotFound(f"no planned make order {planned_order_id}", "planned_order_id")
        day = order.release_date
    found = [s for s in day_schedule(tenant_id, day).suggestions if s.planned_order_id == planned_order_id]
    if not found:
        raise Conflict("this planned order is not in the latest MRP run: run MRP again", "planned_order_id")
    suggestion = found[0]
    if suggestion.batch:
        raise Conflict(f"this planned order was already made as batch {suggestion.batch}", "planned_order_id")
    short = [p for p in suggestion.picks if p.short > 0]
    if short:
        raise Conflict(f"not enough usable {short[0].sku}: {short[0].short.normalize():f} short", "planned_order_id")
    inputs = [BatchInput(p.sku, line.lot, line.quantity, str(line.location_id))
              for p in suggestion.picks for line in p.lines]
    source = inputs[0].location if inputs and inputs[0].location else to_location
    return make_batch(tenant_id, BatchRequest(
        number=number or f"WO-{planned_order_id.hex[:8].upper()}", sku=suggestion.sku,
        quantity=suggestion.quantity, from_location=source, to_location=to_location, batch_date=day,
        inputs=inputs, planned_order_id=planned_order_id), user_id)
