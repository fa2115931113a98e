"""Production batches: the plugin's work orders until core has its own.

Making a batch posts, in one transaction, an issue of each component (the BOM exploded
for the batch quantity, lots chosen by the item's policy unless given) and a receipt
of the finished lot, all carrying the reference ``("work_order", <batch number>)``: the
ledger itself then links the lots consumed to the lot made, which is what the recall
trace walks. The finished lot is valued at what its components cost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import Conflict, InvalidInput, NotFound
from core.inventory.move_queries import moves_where
from core.inventory.move_types import MoveRequest, MoveView
from core.inventory.posting import post_move
from core.inventory.refs import find_stock_item, resolve_locations
from plugins.food_fifo.models import Batch
from plugins.food_fifo.picking import requirements

REFERENCE = "work_order"
MAX_NUMBER = 40


@dataclass(frozen=True)
class BatchInput:
    """A component lot named for the batch (otherwise lots are chosen by policy)."""

    sku: str
    lot: str
    quantity: Decimal
    location: str | None = None  # default: the batch's from_location


@dataclass(frozen=True)
class BatchRequest:
    number: str
    sku: str
    quantity: Decimal
    from_location: str
    to_location: str
    lot: str | None = None
    batch_date: date | None = None
    expiry_date: date | None = None
    inputs: list[BatchInput] = field(default_factory=list)
    planned_order_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BatchView:
    id: uuid.UUID
    number: str
    sku: str
    lot: str
    quantity: Decimal
    batch_date: date
    status: str
    planned_order_id: uuid.UUID | None
    consumed: list[MoveView]
    produced: list[MoveView]


def _checked(req: BatchRequest) -> tuple[str, Decimal]:
    number = (req.number or "").strip()
    if not number or len(number) > MAX_NUMBER:
        raise InvalidInput(f"number is required (at most {MAX_NUMBER} characters)", "number")
    if not req.quantity.is_finite() or req.quantity <= 0:
        raise InvalidInput("quantity must be greater than 0", "quantity")
    for n, given in enumerate(req.inputs):
        if not given.quantity.is_finite() or given.quantity <= 0:
            raise InvalidInput(f"inputs[{n}].quantity must be greater than 0", f"inputs[{n}].quantity")
    return number, req.quantity


def _issue_components(session: Session, tenant_id: uuid.UUID, number: str, req: BatchRequest,
                      item_id: uuid.UUID, user_id: uuid.UUID | None) -> Decimal:
    """Issue every component; the total cost of what was taken."""
    needs = requirements(session, tenant_id, item_id, req.quantity)
    if not needs:
        raise InvalidInput(f"item {req.sku} has no bill of material to make it from", "sku")
    known = {r.sku for r in needs}
    for given in req.inputs:
        if given.sku not in known:
            raise InvalidInput(f"{given.sku} is not a component of {req.sku}", "inputs")
    cost = Decimal(0)
    for need in needs:
        named = [given for given in req.inputs if given.sku == need.sku]
        if named and sum(given.quantity for given in named) != need.quantity:
            raise InvalidInput(f"the lots named for {need.sku} must add up to {need.quantity.normalize():f}",
                               "inputs")
        for given in named or [BatchInput(need.sku, "", need.quantity)]:
            where = given.location or req.from_location
            posted = post_move(session, tenant_id, MoveRequest(
                kind="issue", sku=need.sku, quantity=given.quantity, from_location=where, lot=given.lot or None,
                reason="production", reference_type=REFERENCE, reference_id=number,
                idempotency_key=f"food-batch:{number}:{need.sku}:{given.lot or '*'}:{where}"), user_id)
            cost += sum((m.total_cost for m in posted.moves), Decimal(0))
    return cost


def make_batch(tenant_id: uuid.UUID, req: BatchRequest, user_id: uuid.UUID | None) -> BatchView:
    """Post a batch: component issues and the finished lot's receipt, all or nothing."""
    number, quantity = _checked(req)
    with db.tenant_session(tenant_id, user_id) as session:
        if session.scalar(select(Batch.id).where(Batch.tenant_id == tenant_id, Batch.number == number)):
            raise Conflict(f"batch {number} already exists", "number")
        item = find_stock_item(session, tenant_id, req.sku, "sku")
        if item.tracking != "lot":
            raise InvalidInput(f"item {item.sku} is not lot-tracked: a batch makes a lot", "sku")
        places = resolve_locations(session, tenant_id, {"from_location": req.from_location,
                                                        "to_location": req.to_location})
        day = req.batch_date or date.today()
        expiry = req.expiry_date or (day + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None)
        cost = _issue_components(session, tenant_id, number, req, item.id, user_id)
        made = post_move(session, tenant_id, MoveRequest(
            kind="receipt", sku=item.sku, quantity=quantity, to_location=req.to_location, lot=req.lot or number,
            expiry_date=expiry, unit_cost=(cost / quantity).quantize(Decimal("0.000001")), reason="production",
            reference_type=REFERENCE, reference_id=number, idempotency_key=f"food-batch:{number}:made"), user_id)
        batch = Batch(tenant_id=tenant_id, id=uuid.uuid4(), number=number, item_id=item.id,
                      lot_id=made.move.lot_id, quantity=quantity, batch_date=day,
                      source_location_id=places["from_location"].id, target_location_id=places["to_location"].id,
                      planned_order_id=req.planned_order_id, created_by=user_id)
        session.add(batch)
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent twin took the number or the planned order
            raise Conflict(f"batch {number} (or its planned order) was already made", "number") from exc
        return _view(session, tenant_id, batch)


def _view(session: Session, tenant_id: uuid.UUID, batch: Batch) -> BatchView:
    moves = moves_where(session, tenant_id, [("reference_type", REFERENCE), ("reference_id", batch.number)])
    sku = session.scalar(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id == batch.item_id)) or ""
    produced = [m for m in moves if m.direction == "in" and m.kind == "receipt"]
    consumed = [m for m in moves if m.direction == "out"]
    lot = produced[0].lot_code if produced else ""
    return BatchView(batch.id, batch.number, sku, lot or "", batch.quantity, batch.batch_date, batch.status,
                     batch.planned_order_id, consumed, produced)


def list_batches(tenant_id: uuid.UUID, limit: int = 100) -> list[BatchView]:
    """The latest batches, newest first, with what each consumed and made."""
    with db.tenant_session(tenant_id) as session:
        rows = session.scalars(select(Batch).where(Batch.tenant_id == tenant_id)
                               .order_by(Batch.batch_date.desc(), Batch.number.desc()).limit(limit)).all()
        return [_view(session, tenant_id, b) for b in rows]


def get_batch(tenant_id: uuid.UUID, number: str) -> BatchView:
    """One batch by number (404 otherwise)."""
    with db.tenant_session(tenant_id) as session:
        batch = session.scalar(select(Batch).where(Batch.tenant_id == tenant_id, Batch.number == number))
        if batch is None:
            raise NotFound(f"no batch {number!r}", "number")
        return _view(session, tenant_id, batch)

