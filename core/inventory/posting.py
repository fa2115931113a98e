"""Posting stock moves — the one way stock changes.

A posting, in one transaction, in this order (the same order for every posting, which is
what keeps concurrent postings free of deadlocks):

1. check the request's shape (422 naming the field); in one query, resolve the item and
   the locations (id or code) and look the idempotency key up: a repeat returns the
   original moves, a different request under a used key is refused (409);
2. resolve the lot, check tracking rules, allocate lots when an outbound move of a
   lot-tracked item names none;
3. ask the enabled plugins (``before_post_move``): any refusal is a 409;
4. change the balance rows, locked in (location, lot) order, and consume the reservation;
5. lock the item's valuation row while reading the open reservations, refuse what is not
   available (409 naming item, location, lot, available and requested), cost the move
   (FIFO or moving average), insert the move (append-only) with its layers and the new
   position, move the serials;
6. tell the plugins (``after_post_move``).

Locks are always taken in that order — balance rows, reservation, valuation row, serials
— by every posting (and reservations take only a balance row, then their own row), so
postings wait for each other but never in a cycle.

Idempotency without a lock: two postings with one key may both get this far; the unique
key lets one insert its move and the other wait for it to commit and insert nothing.
The loser (and any posting refused while a same-key twin committed) rolls back and looks
the key up again: same request → the winner's moves (200), another → 409.

:func:`post_move` runs inside the caller's transaction (in a savepoint, so a refusal
leaves the caller's transaction usable); :func:`post_stock_move` opens its own.
Moves are never back-dated: a move takes effect when it is posted.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import psycopg
from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from core import db
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.inventory import valuation
from core.inventory.balances import Change, merge, refuse_short
from core.inventory.ledger_sql import RESOLVE, run, write_move
from core.inventory.locking import Locked, LockRequest, lock
from core.inventory.lot_allocation import allocate_lots
from core.inventory.lots import find_lot_ref, lot_for_inbound, refuse_unusable
from core.inventory.models import Lot, StockMove
from core.inventory.move_input import MAX_AMOUNT, clean_request
from core.inventory.move_input import text as clean_text
from core.inventory.move_queries import batch_moves, moves_where
from core.inventory.move_types import (
    DocumentRef,
    LotRef,
    MovePosted,
    MoveRequest,
    MoveView,
    PlannedMove,
    request_hash,
)
from core.inventory.plain_posting import count_path, post_plain_move
from core.inventory.refs import (
    LocationRef,
    StockItem,
    as_uuid,
    find_stock_item,
    location_keys,
    match_locations,
    resolve_locations,
)
from core.inventory.reservations import HeldReservation, consume, reservation_for_issue
from core.inventory.serials import move_serials
from core.inventory.valuation_math import (
    Layer,
    Outcome,
    Position,
    average_in,
    average_out,
    fifo_in,
    fifo_out,
    money,
)
from core.plugins import call_hook, remember_enabled


def post_move(session: Session, tenant_id: uuid.UUID, request: MoveRequest,
              user_id: uuid.UUID | None = None) -> MovePosted:
    """Post ``request`` inside the caller's transaction (for other services).

    Raises :class:`core.errors.DomainError` subclasses — InvalidInput (422), NotFound,
    Conflict (409: used key, not enough stock, plugin refusal) — after rolling back its
    own savepoint, so nothing of the refused move remains and the caller's transaction
    stays usable. The moves are committed with the caller's transaction.
    """
    req = clean_request(request)
    try:
        with session.begin_nested():
            return _post(session, tenant_id, req, user_id)
    except DomainError as refusal:
        return _replay_or_raise(session, tenant_id, req.idempotency_key, req.fingerprint(), refusal)


def post_stock_move(tenant_id: uuid.UUID, request: MoveRequest, user_id: uuid.UUID | None = None) -> MovePosted:
    """Post ``request`` in a transaction of its own (the API's use case).

    A plain move is posted in one call to the database (:mod:`core.inventory.plain_posting`);
    any other, or one that call gives back, the general way below.
    """
    req = clean_request(request)
    posted = post_plain_move(tenant_id, req, user_id)
    count_path("plain" if posted is not None else "general")
    if posted is not None:
        return posted
    try:
        with db.tenant_session(tenant_id, user_id) as session:
            return _post(session, tenant_id, req, user_id)
    except DomainError as refusal:
        with db.tenant_session(tenant_id, user_id) as session:
            return _replay_or_raise(session, tenant_id, req.idempotency_key, req.fingerprint(), refusal)


def reverse_move(session: Session, tenant_id: uuid.UUID, move_id: uuid.UUID, idempotency_key: str | None,
                 reason: str | None = None, user_id: uuid.UUID | None = None) -> MovePosted:
    """Post the exact opposite of ``move_id`` inside the caller's transaction.

    Same kind, item, quantity, lot and serials, locations swapped, linked by
    ``reverses_move_id``. Costing: reversing an outbound move gives back exactly what it
    took (FIFO: the same layers); reversing an inbound move takes back its own layer
    first. A move is reversed at most once (409), a reversal is not reversed (409), and
    the reversal must find the stock where the original put it (409 otherwise).
    """
    key, digest = _reversal_key(idempotency_key, move_id, reason)
    try:
        with session.begin_nested():
            return _reverse(session, tenant_id, move_id, key, digest, reason, user_id)
    except DomainError as refusal:
        return _replay_or_raise(session, tenant_id, key, digest, refusal)


def reverse_stock_move(tenant_id: uuid.UUID, move_id: uuid.UUID, idempotency_key: str | None,
                       reason: str | None = None, user_id: uuid.UUID | None = None) -> MovePosted:
    """:func:`reverse_move` in a transaction of its own."""
    with db.tenant_session(tenant_id, user_id) as session:
        original = _original(session, tenant_id, move_id)  # 404 before anything else
    key, digest = _reversal_key(idempotency_key, move_id, reason)
    try:
        with db.tenant_session(tenant_id, user_id) as session:
            return _reverse(session, tenant_id, original.id, key, digest, reason, user_id)
    except DomainError as refusal:
        with db.tenant_session(tenant_id, user_id) as session:
            return _replay_or_raise(session, tenant_id, key, digest, refusal)


def _replay(session: Session, tenant_id: uuid.UUID, batch_id: uuid.UUID, stored: str, digest: str) -> MovePosted:
    if stored != digest:
        raise Conflict("this idempotency_key was already used for another request", "idempotency_key")
    return MovePosted(tuple(batch_moves(session, tenant_id, batch_id)), created=False)


def _replay_or_raise(session: Session, tenant_id: uuid.UUID, key: str, digest: str,
                     refusal: DomainError) -> MovePosted:
    """After a refusal: the moves of a same-key posting that committed meanwhile, else the refusal."""
    row = session.execute(select(StockMove.batch_id, StockMove.request_hash).where(
        StockMove.tenant_id == tenant_id, StockMove.idempotency_key == key,
        StockMove.id == StockMove.batch_id)).first()
    if row is None:
        raise refusal
    return _replay(session, tenant_id, row.batch_id, row.request_hash, digest)


def _check_tracking(item: StockItem, req: MoveRequest, inbound: bool) -> None:
    if item.tracking != "lot":
        for name in ("lot", "expiry_date", "supplier_lot"):
            if getattr(req, name) is not None:
                raise InvalidInput(f"item {item.sku} is not lot-tracked: give no {name}", name)
    elif inbound and req.lot is None:
        raise InvalidInput(f"item {item.sku} is lot-tracked: lot is required", "lot")
    if item.tracking == "serial":
        if req.quantity != req.quantity.to_integral_value():
            raise InvalidInput("serial-tracked items move in whole units", "quantity")
        if len(req.serials) != req.quantity:
            raise InvalidInput(f"give exactly one serial per unit ({req.quantity.normalize():f})", "serials")
    elif req.serials:
        raise InvalidInput(f"item {item.sku} is not serial-tracked: give no serials", "serials")


def _lot_by_id(session: Session, tenant_id: uuid.UUID, lot_id: uuid.UUID) -> LotRef:
    row = session.execute(select(Lot.id, Lot.code, Lot.status, Lot.expiry_date, Lot.received_at)
                          .where(Lot.tenant_id == tenant_id, Lot.id == lot_id)).one()
    return LotRef(*row)


def _lots(session: Session, tenant_id: uuid.UUID, item: StockItem, req: MoveRequest, source: LocationRef | None,
          held: HeldReservation | None, user_id: uuid.UUID | None) -> list[tuple[LotRef | None, Decimal]]:
    """The lot(s) the move uses, with the quantity of each."""
    if item.tracking != "lot":
        return [(None, req.quantity)]
    today = date.today()
    if source is None:
        assert req.lot is not None
        lot = lot_for_inbound(session, tenant_id, item, req.lot, req.expiry_date, req.supplier_lot, user_id)
        return [(lot, req.quantity)]
    if held is not None and held.lot_id is not None:
        found: LotRef | None = _lot_by_id(session, tenant_id, held.lot_id)
    elif req.lot is not None:
        found = _find_lot(session, tenant_id, item, req.lot)
    else:
        return list(allocate_lots(session, tenant_id, item, source, req.quantity, today))
    assert found is not None
    if req.kind == "issue":
        refuse_unusable(found, "issue", today)
    return [(found, req.quantity)]


def _find_lot(session: Session, tenant_id: uuid.UUID, item: StockItem, code: str) -> LotRef:
    lot = find_lot_ref(session, tenant_id, item.id, code)
    if lot is None:
        raise InvalidInput(f"item {item.sku} has no lot {code!r}", "lot")
    return lot


def _ask_plugins(session: Session, tenant_id: uuid.UUID, plans: list[PlannedMove]) -> None:
    reasons: list[str] = []
    for plan in plans:
        for answer in call_hook(session, tenant_id, "before_post_move", tenant_id=tenant_id, move=plan,
                                session=session):
            reasons.extend(str(r) for r in answer or [])
    if reasons:
        raise Conflict("; ".join(reasons), "move")


def _resolve(session: Session, tenant_id: uuid.UUID, req: MoveRequest
             ) -> tuple[StockItem, dict[str, LocationRef], tuple[uuid.UUID, str] | None]:
    """The item, the named locations and the key's earlier use, in one query."""
    refs = {f: v for f, v in (("from_location", req.from_location), ("to_location", req.to_location)) if v}
    ids, codes = location_keys(refs)
    rows = run(session, RESOLVE, {"tenant": tenant_id, "sku": req.sku, "item_id": as_uuid(req.sku),
                                  "location_ids": ids, "location_codes": codes, "key": req.idempotency_key}
               ).fetchall()
    if not rows:
        raise InvalidInput(f"no item {req.sku!r}", "sku")
    first = rows[0]
    remember_enabled(session, tenant_id, set(first[11]))
    used = (first[9], first[10]) if first[9] is not None else None
    found = [LocationRef(r[6], r[7], r[8]) for r in rows if r[6] is not None]
    return StockItem(*first[:6]), match_locations(refs, found), used


def _post(session: Session, tenant_id: uuid.UUID, req: MoveRequest, user_id: uuid.UUID | None) -> MovePosted:
    digest = req.fingerprint()
    item, places, used = _resolve(session, tenant_id, req)
    if used is not None:
        return _replay(session, tenant_id, used[0], used[1], digest)
    source, target = places.get("from_location"), places.get("to_location")
    if source is not None and target is not None and source.id == target.id:
        raise InvalidInput("from_location and to_location must differ", "to_location")
    _check_tracking(item, req, source is None)
    held = None
    if req.reservation_id is not None:
        assert source is not None
        held = reservation_for_issue(session, tenant_id, req.reservation_id, item, source, req.lot)
    reference = DocumentRef(req.reference_type, req.reference_id) \
        if req.reference_type and req.reference_id else None
    plans = [PlannedMove(req.kind, item, quantity, source, target, lot, req.serials, req.reason, reference,
                         req.reservation_id)
             for lot, quantity in _lots(session, tenant_id, item, req, source, held, user_id)]
    _ask_plugins(session, tenant_id, plans)
    views = _write(session, tenant_id, plans, _Ticket(req.idempotency_key, digest, user_id, req.unit_cost),
                   held)
    return MovePosted(tuple(views), created=True)


def _original(session: Session, tenant_id: uuid.UUID, move_id: uuid.UUID) -> MoveView:
    found = moves_where(session, tenant_id, [("id", move_id)])
    if not found:
        raise NotFound(f"no stock move {move_id}", "move_id")
    return found[0]


def _reversal_key(key: str | None, move_id: uuid.UUID, reason: str | None) -> tuple[str, str]:
    clean_key = clean_text(key, "idempotency_key", 190, required=True) or ""
    return clean_key, request_hash({"reverse": str(move_id), "reason": clean_text(reason, "reason", 200)})


def _reverse(session: Session, tenant_id: uuid.UUID, move_id: uuid.UUID, key: str, digest: str,
             reason: str | None, user_id: uuid.UUID | None) -> MovePosted:
    original = _original(session, tenant_id, move_id)
    used = session.execute(select(StockMove.batch_id, StockMove.request_hash).where(
        StockMove.tenant_id == tenant_id, StockMove.idempotency_key == key,
        StockMove.id == StockMove.batch_id)).first()
    if used is not None:
        return _replay(session, tenant_id, used.batch_id, used.request_hash, digest)
    if original.reverses_move_id is not None:
        raise Conflict("this move is itself a reversal: post a new move instead", "move_id")
    if original.reversed_by_move_id is not None:
        raise Conflict(f"this move was already reversed by {original.reversed_by_move_id}", "move_id")
    item = find_stock_item(session, tenant_id, str(original.item_id))
    refs = {f: str(i) for f, i in (("from_location", original.to_location_id),
                                   ("to_location", original.from_location_id)) if i}
    places = resolve_locations(session, tenant_id, refs)
    lot = _lot_by_id(session, tenant_id, original.lot_id) if original.lot_id else None
    plan = PlannedMove(original.kind, item, original.quantity, places.get("from_location"),
                       places.get("to_location"), lot, tuple(original.serials),
                       clean_text(reason, "reason", 200) or f"reversal of move {original.seq}",
                       original.reference, reverses_move_id=original.id)
    _ask_plugins(session, tenant_id, [plan])
    views = _write(session, tenant_id, [plan], _Ticket(key, digest, user_id, None, original), None)
    return MovePosted(tuple(views), created=True)


@dataclass(frozen=True)
class _Ticket:
    """What a posting writes beside the plans: key, hash, who, requested cost, the reversed move."""

    key: str
    digest: str
    user_id: uuid.UUID | None
    unit_cost: Decimal | None
    reversing: MoveView | None = None


def _changes(plans: list[PlannedMove]) -> list[Change]:
    changes = []
    for plan in plans:
        lot_id, lot_code = (plan.lot.id, plan.lot.code) if plan.lot else (None, None)
        if plan.from_location is not None:
            changes.append(Change(plan.from_location.id, lot_id, -plan.quantity, plan.from_location.code, lot_code))
        if plan.to_location is not None:
            changes.append(Change(plan.to_location.id, lot_id, plan.quantity, plan.to_location.code, lot_code))
    return changes


def _cost(session: Session, tenant_id: uuid.UUID, method: str, pos: Position, plan: PlannedMove,
          ticket: _Ticket, layers: list[Layer] | None) -> tuple[Outcome, Decimal]:
    """The valuation outcome of one move, and the unit cost to record on it (``layers``:
    the open layers an outbound FIFO move draws from, when already read under the lock)."""
    item, quantity, original = plan.item, plan.quantity, ticket.reversing
    if plan.direction == "in":
        if original is not None:  # giving back exactly what the original took
            restore = valuation.layer_uses(session, tenant_id, original.id) if method == "fifo" else None
            unit, value_in = original.unit_cost or Decimal(0), original.total_cost
        else:
            restore = None
            unit = ticket.unit_cost if ticket.unit_cost is not None else (
                item.standard_cost if plan.kind == "receipt"
                else pos.average() or pos.last_unit_cost or item.standard_cost)
            value_in = money(quantity * unit)
            if value_in >= MAX_AMOUNT:
                raise InvalidInput("quantity × unit_cost is out of range (at most 14 digits)", "unit_cost")
        if method == "fifo":
            return fifo_in(pos, quantity, value_in, restore), unit
        return average_in(pos, quantity, value_in), unit
    prefer = original.id if original is not None else None
    if method == "fifo":
        if layers is None:
            layers = valuation.open_layers(session, tenant_id, item.id, quantity, prefer)
        outcome = fifo_out(pos, layers, quantity, item.standard_cost)
    else:
        outcome = average_out(pos, quantity, item.standard_cost, original.unit_cost if original else None)
    return outcome, money(outcome.cost / quantity)


def _insert(session: Session, tenant_id: uuid.UUID, move_id: uuid.UUID, batch_id: uuid.UUID, key: str,
            plan: PlannedMove, ticket: _Ticket, unit: Decimal | None, outcome: Outcome | None,
            method: str) -> tuple[int, datetime]:
    """Write the move with its valuation changes (one statement); its seq and time."""
    fifo = outcome is not None and method == "fifo"
    takes = outcome.takes if fifo and outcome is not None else []
    sign = -1 if plan.direction == "out" else 1
    layer = outcome.new_layer if fifo and outcome is not None else None
    params = {
        "tenant": tenant_id, "id": move_id, "batch": batch_id, "kind": plan.kind, "item": plan.item.id,
        "quantity": plan.quantity, "source": plan.from_location.id if plan.from_location else None,
        "target": plan.to_location.id if plan.to_location else None,
        "lot": plan.lot.id if plan.lot else None, "serials": list(plan.serials) or None,
        "unit_cost": unit, "total_cost": outcome.cost if outcome else Decimal(0),
        "variance": outcome.variance if outcome else Decimal(0), "reason": plan.reason,
        "ref_type": plan.reference.type if plan.reference else None,
        "ref_id": plan.reference.id if plan.reference else None,
        "reservation": plan.reservation_id, "reverses": plan.reverses_move_id, "key": key,
        "hash": ticket.digest, "user": ticket.user_id,
    }
    if takes:
        params.update(shift_ids=[t.layer_id for t in takes], shift_qty=[sign * t.quantity for t in takes],
                      shift_value=[sign * t.value for t in takes])
    if layer is not None and outcome is not None:
        params.update(layer_qty=layer[0], layer_value=layer[1], layer_cost=outcome.after.last_unit_cost)
    if outcome is not None:
        params.update(pos_qty=outcome.after.quantity, pos_value=outcome.after.value,
                      pos_last=outcome.after.last_unit_cost)
    sql = write_move(bool(takes), bool(takes) and sign < 0, layer is not None, outcome is not None)
    row = run(session, sql, params).fetchone()
    if row is None:  # a concurrent posting took the key or reversed the move first
        if plan.reverses_move_id is not None:
            raise Conflict("this move was already reversed", "move_id")
        raise Conflict("this idempotency_key was already used for another request", "idempotency_key")
    return row[0], row[1]


def _write(session: Session, tenant_id: uuid.UUID, plans: list[PlannedMove], ticket: _Ticket,
           held: HeldReservation | None) -> list[MoveView]:
    try:
        return _write_all(session, tenant_id, plans, ticket, held)
    except (DataError, psycopg.DataError) as exc:  # a balance or a value beyond NUMERIC(20, 6)
        raise InvalidInput("the resulting quantity or value is out of range (at most 14 digits)",
                           "quantity") from exc


def _write_all(session: Session, tenant_id: uuid.UUID, plans: list[PlannedMove], ticket: _Ticket,
               held: HeldReservation | None) -> list[MoveView]:
    item = plans[0].item
    locked = _lock(session, tenant_id, plans, ticket, held)
    method, pos = locked.method, locked.position
    batch_id = uuid.uuid4()
    views: list[MoveView] = []
    for n, plan in enumerate(plans):
        move_id = batch_id if n == 0 else uuid.uuid4()
        key = ticket.key if n == 0 else f"{ticket.key}#{n + 1}"
        outcome, unit = (_cost(session, tenant_id, method, pos, plan, ticket, locked.layers if n == 0 else None)
                         if plan.direction != "transfer" else (None, None))
        seq, posted_at = _insert(session, tenant_id, move_id, batch_id, key, plan, ticket, unit, outcome, method)
        if outcome is not None:
            pos = outcome.after
        if plan.serials:
            move_serials(session, tenant_id, item.id, plan.serials, plan.from_location, plan.to_location, move_id)
        views.append(_view(plan, move_id, seq, batch_id, key, posted_at, unit, outcome, ticket.user_id))
    for view in views:
        call_hook(session, tenant_id, "after_post_move", tenant_id=tenant_id, move=view, session=session)
    return views


def _lock(session: Session, tenant_id: uuid.UUID, plans: list[PlannedMove], ticket: _Ticket,
          held: HeldReservation | None) -> Locked:
    """Change and lock the balances, consume the reservation, lock the valuation row; refuse
    what is not available. One round trip, two when a reservation is consumed (its row is
    locked between the balance rows and the valuation row: the one lock order)."""
    item, first = plans[0].item, plans[0]
    changes = merge(_changes(plans))
    taking = [c for c in changes if c.delta < 0]
    source = taking[0].location_id if taking and not item.allow_negative_stock else None
    # The lock reads the open layers too when one outbound move is all the posting costs.
    single_out = len(plans) == 1 and first.direction == "out"
    rest = LockRequest([], first.direction != "transfer", source, first.quantity if single_out else None,
                       ticket.reversing.id if ticket.reversing is not None else None)
    if held is None:
        locked = lock(session, tenant_id, item.id, dataclasses.replace(rest, changes=changes))
    else:
        after = lock(session, tenant_id, item.id, LockRequest(changes)).after
        consume(session, tenant_id, held.id, sum((p.quantity for p in plans), Decimal(0)), ticket.user_id)
        locked = dataclasses.replace(lock(session, tenant_id, item.id, rest), after=after)
    if source is not None:
        refuse_short(item, taking, locked.after, locked.reserved)
    return locked


def _view(plan: PlannedMove, move_id: uuid.UUID, seq: int, batch_id: uuid.UUID, key: str, posted_at: datetime,
          unit: Decimal | None, outcome: Outcome | None, user_id: uuid.UUID | None) -> MoveView:
    source, target, lot = plan.from_location, plan.to_location, plan.lot
    return MoveView(
        move_id, seq, batch_id, plan.kind, plan.item.id, plan.item.sku, plan.quantity,
        source.id if source else None, source.code if source else None,
        target.id if target else None, target.code if target else None,
        lot.id if lot else None, lot.code if lot else None, list(plan.serials), unit,
        outcome.cost if outcome else Decimal(0), outcome.variance if outcome else Decimal(0), plan.reason,
        plan.reference, plan.reservation_id, plan.reverses_move_id, None, key, posted_at, user_id,
    )
