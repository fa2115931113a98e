"""The assay schedule: methods (what one run consumes) and scheduled runs.

Scheduling a run copies the method's reagents onto the run and reserves them at the
run's location through core reservations (reference ``("assay_run", run id)``), lot by
lot, first received first, leaving out lots that will be past their (in-use) expiry on
the run's day. When stock is short the run is scheduled all the same: the shortage is
what the run needs less what its open reservations hold, computed, never cached, and it
shows as an alert from ``shortage_alert_days`` before the run; the daily scan tries to
reserve the rest. Running the assay issues what is reserved (consuming the reservations)
and marks it done, refused while anything is short; cancelling releases the reservations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.inventory.lot_allocation import lot_candidates
from core.inventory.models import Reservation
from core.inventory.move_input import amount
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_move
from core.inventory.refs import as_uuid, find_stock_item, resolve_locations
from core.inventory.reservations import ReservationRequest, release, reserve
from plugins.pharma_lab.models import AssayMethod, AssayMethodReagent, AssayRun, AssayRunLine
from plugins.pharma_lab.reagents import in_use_expired_lots

REFERENCE = "assay_run"
RUN_STATUSES = ("scheduled", "done", "cancelled")
MAX_REAGENTS = 50


@dataclass(frozen=True)
class ReagentNeed:
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class MethodView:
    id: uuid.UUID
    name: str
    description: str | None
    reagents: list[ReagentNeed]
    created_at: datetime


@dataclass(frozen=True)
class RunLineView:
    sku: str
    needed: Decimal
    reserved: Decimal
    short: Decimal


@dataclass(frozen=True)
class RunView:
    id: uuid.UUID
    method_id: uuid.UUID
    method: str
    scheduled_on: date
    location_id: uuid.UUID
    location_code: str
    status: str
    note: str | None
    lines: list[RunLineView]
    short: bool
    created_at: datetime
    closed_at: datetime | None


# ---------------------------------------------------------------- methods


def _method_views(session: Session, tenant_id: uuid.UUID, conditions: list[Any]) -> list[MethodView]:
    methods = session.scalars(select(AssayMethod).where(AssayMethod.tenant_id == tenant_id, *conditions)
                              .order_by(AssayMethod.name)).all()
    needs: dict[uuid.UUID, list[ReagentNeed]] = {}
    if methods:
        rows = session.execute(
            select(AssayMethodReagent.method_id, Item.sku, AssayMethodReagent.quantity)
            .join(Item, (Item.tenant_id == AssayMethodReagent.tenant_id) & (Item.id == AssayMethodReagent.item_id))
            .where(AssayMethodReagent.tenant_id == tenant_id,
                   AssayMethodReagent.method_id.in_([m.id for m in methods])).order_by(Item.sku))
        for method_id, sku, quantity in rows:
            needs.setdefault(method_id, []).append(ReagentNeed(sku, quantity))
    return [MethodView(m.id, m.name, m.description, needs.get(m.id, []), m.created_at) for m in methods]


def _text(value: Any, field: str, longest: int, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field)
    if len(value.strip()) > longest:
        raise InvalidInput(f"{field} must be at most {longest} characters", field)
    return value.strip()


def create_method(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> MethodView:
    """A method with a unique name and the reagents (sku, quantity) one run consumes."""
    name = _text(raw.get("name"), "name", 100, required=True)
    description = _text(raw.get("description"), "description", 500)
    reagents = raw.get("reagents")
    if not isinstance(reagents, list) or not reagents or len(reagents) > MAX_REAGENTS:
        raise InvalidInput(f"reagents must list 1 to {MAX_REAGENTS} reagents (sku, quantity)", "reagents")
    with db.tenant_session(tenant_id, user_id) as session:
        if session.scalar(select(AssayMethod.id).where(AssayMethod.tenant_id == tenant_id, AssayMethod.name == name)):
            raise Conflict(f"an assay method named {name!r} already exists", "name")
        method = AssayMethod(tenant_id=tenant_id, id=uuid.uuid4(), name=name, description=description,
                             created_by=user_id)
        session.add(method)
        seen: set[uuid.UUID] = set()
        for n, entry in enumerate(reagents):
            field = f"reagents[{n}]"
            if not isinstance(entry, dict):
                raise InvalidInput(f"{field} must be an object with sku and quantity", field)
            item = find_stock_item(session, tenant_id, str(entry.get("sku") or ""), f"{field}.sku")
            if item.id in seen:
                raise InvalidInput(f"{item.sku} is listed twice", f"{field}.sku")
            seen.add(item.id)
            session.add(AssayMethodReagent(tenant_id=tenant_id, method_id=method.id, item_id=item.id,
                                           quantity=amount(entry.get("quantity"), f"{field}.quantity")))
        try:
            session.flush()
        except IntegrityError as exc:  # the same name created meanwhile
            raise Conflict(f"an assay method named {name!r} already exists", "name") from exc
        return _method_views(session, tenant_id, [AssayMethod.id == method.id])[0]


def list_methods(tenant_id: uuid.UUID) -> list[MethodView]:
    """Every assay method by name."""
    with db.tenant_session(tenant_id) as session:
        return _method_views(session, tenant_id, [])


def _find_method(session: Session, tenant_id: uuid.UUID, ref: str, field: str,
                 missing: type[InvalidInput] | type[NotFound]) -> AssayMethod:
    as_id = as_uuid(ref)
    match = AssayMethod.id == as_id if as_id else AssayMethod.name == ref
    method = session.scalar(select(AssayMethod).where(AssayMethod.tenant_id == tenant_id, match))
    if method is None:
        raise missing(f"no assay method {ref!r}", field)
    return method


def get_method(tenant_id: uuid.UUID, method_id: uuid.UUID) -> MethodView:
    """One method (404 when unknown)."""
    with db.tenant_session(tenant_id) as session:
        method = _find_method(session, tenant_id, str(method_id), "method_id", NotFound)
        return _method_views(session, tenant_id, [AssayMethod.id == method.id])[0]


# ---------------------------------------------------------------- runs


def _held(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID) -> list[Reservation]:
    """The run's open reservations."""
    return list(session.scalars(select(Reservation).where(
        Reservation.tenant_id == tenant_id, Reservation.reference_type == REFERENCE,
        Reservation.reference_id == str(run_id), Reservation.status == "open",
    ).order_by(Reservation.created_at, Reservation.id).execution_options(populate_existing=True)))


def _lines(session: Session, tenant_id: uuid.UUID, run: AssayRun) -> list[RunLineView]:
    held: dict[uuid.UUID, Decimal] = {}
    if run.status == "scheduled":
        for r in _held(session, tenant_id, run.id):
            held[r.item_id] = held.get(r.item_id, Decimal(0)) + r.remaining
    rows = session.execute(
        select(AssayRunLine.item_id, Item.sku, AssayRunLine.quantity)
        .join(Item, (Item.tenant_id == AssayRunLine.tenant_id) & (Item.id == AssayRunLine.item_id))
        .where(AssayRunLine.tenant_id == tenant_id, AssayRunLine.run_id == run.id).order_by(Item.sku))
    lines = []
    for item_id, sku, needed in rows:
        reserved = held.get(item_id, Decimal(0))
        short = max(needed - reserved, Decimal(0)) if run.status == "scheduled" else Decimal(0)
        lines.append(RunLineView(sku, needed, reserved, short))
    return lines


def _run_views(session: Session, tenant_id: uuid.UUID, conditions: list[Any], limit: int | None = None,
               offset: int = 0) -> list[RunView]:
    query = (select(AssayRun, AssayMethod.name, Location.code)
             .join(AssayMethod, (AssayMethod.tenant_id == AssayRun.tenant_id) & (AssayMethod.id == AssayRun.method_id))
             .join(Location, (Location.tenant_id == AssayRun.tenant_id) & (Location.id == AssayRun.location_id))
             .where(AssayRun.tenant_id == tenant_id, *conditions)
             .order_by(AssayRun.scheduled_on, AssayRun.created_at, AssayRun.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    views = []
    for run, method, location in session.execute(query.execution_options(populate_existing=True)):
        lines = _lines(session, tenant_id, run)
        views.append(RunView(run.id, run.method_id, method, run.scheduled_on, run.location_id, location,
                             run.status, run.note, lines, any(line.short > 0 for line in lines), run.created_at,
                             run.closed_at))
    return views


def _run(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID, lock: bool = False) -> AssayRun:
    query = select(AssayRun).where(AssayRun.tenant_id == tenant_id, AssayRun.id == run_id)
    run = session.scalar(query.with_for_update() if lock else query)
    if run is None:
        raise NotFound(f"no assay run {run_id}", "assay_run_id")
    return run


def _reserve_line(session: Session, tenant_id: uuid.UUID, run: AssayRun, item_id: uuid.UUID, short: Decimal,
                  user_id: uuid.UUID | None) -> Decimal:
    """Reserve up to ``short`` of one reagent for the run; return how much it got."""
    item = find_stock_item(session, tenant_id, str(item_id))
    gone = in_use_expired_lots(session, tenant_id, run.scheduled_on)
    got = Decimal(0)
    offers: list[tuple[str | None, Decimal]]
    if item.tracking == "lot":
        offers = [(c.code, c.available) for c in lot_candidates(session, tenant_id, item.id, run.location_id,
                                                                 run.scheduled_on) if c.lot_id not in gone]
    else:
        offers = [(None, short)]
    for lot, available in offers:
        want = min(short - got, available)
        if want <= 0:
            break
        try:
            with session.begin_nested():
                reserve(session, tenant_id, ReservationRequest(
                    item.sku, str(run.location_id), want, lot, REFERENCE, str(run.id)), user_id)
            got += want
        except DomainError:
            continue  # taken meanwhile (or nothing there): the shortage stays, the scan retries
    return got


def reserve_missing(session: Session, tenant_id: uuid.UUID, run: AssayRun, user_id: uuid.UUID | None) -> Decimal:
    """Try to reserve whatever the run still lacks; return how much was newly reserved."""
    got = Decimal(0)
    item_ids = {sku: item_id for item_id, sku in session.execute(
        select(AssayRunLine.item_id, Item.sku)
        .join(Item, (Item.tenant_id == AssayRunLine.tenant_id) & (Item.id == AssayRunLine.item_id))
        .where(AssayRunLine.tenant_id == tenant_id, AssayRunLine.run_id == run.id))}
    for line in _lines(session, tenant_id, run):
        if line.short > 0:
            got += _reserve_line(session, tenant_id, run, item_ids[line.sku], line.short, user_id)
    return got


def schedule_run(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> RunView:
    """Schedule a run of a method (id or name) on a day at a location, reserving its reagents.

    422 naming the field for an unknown method or location or a day in the past. A short
    reagent does not refuse the run: the run shows what it lacks.
    """
    day = raw.get("scheduled_on")
    if not isinstance(day, date):
        raise InvalidInput("scheduled_on must be a date (YYYY-MM-DD)", "scheduled_on")
    if day < date.today():
        raise InvalidInput("scheduled_on cannot be in the past", "scheduled_on")
    note = _text(raw.get("note"), "note", 500)
    method_ref = _text(raw.get("method"), "method", 100, required=True) or ""
    location_ref = _text(raw.get("location"), "location", 64, required=True) or ""
    with db.tenant_session(tenant_id, user_id) as session:
        method = _find_method(session, tenant_id, method_ref, "method", InvalidInput)
        location = resolve_locations(session, tenant_id, {"location": location_ref})["location"]
        run = AssayRun(tenant_id=tenant_id, id=uuid.uuid4(), method_id=method.id, location_id=location.id,
                       scheduled_on=day, status="scheduled", note=note, created_by=user_id)
        session.add(run)
        for need in session.scalars(select(AssayMethodReagent).where(
                AssayMethodReagent.tenant_id == tenant_id, AssayMethodReagent.method_id == method.id)):
            session.add(AssayRunLine(tenant_id=tenant_id, run_id=run.id, item_id=need.item_id,
                                     quantity=need.quantity))
        session.flush()
        reserve_missing(session, tenant_id, run, user_id)
        return _run_views(session, tenant_id, [AssayRun.id == run.id])[0]


def list_runs(tenant_id: uuid.UUID, status: str | None = None, start: date | None = None, end: date | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[RunView], int]:
    """Runs by day, optionally of one status and within [start, end]."""
    conditions: list[Any] = []
    if status:
        if status not in RUN_STATUSES:
            raise InvalidInput(f"status must be one of: {', '.join(RUN_STATUSES)}", "status")
        conditions.append(AssayRun.status == status)
    if start:
        conditions.append(AssayRun.scheduled_on >= start)
    if end:
        conditions.append(AssayRun.scheduled_on <= end)
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).select_from(AssayRun).where(
            AssayRun.tenant_id == tenant_id, *conditions)) or 0
        return _run_views(session, tenant_id, conditions, limit, offset), total


def get_run(tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunView:
    """One run with what it needs, holds and lacks."""
    with db.tenant_session(tenant_id) as session:
        _run(session, tenant_id, run_id)
        return _run_views(session, tenant_id, [AssayRun.id == run_id])[0]


def _check_open(run: AssayRun, doing: str) -> None:
    if run.status != "scheduled":
        raise Conflict(f"the run is already {run.status}: it cannot be {doing}", "assay_run_id")


def perform_run(tenant_id: uuid.UUID, run_id: uuid.UUID, user_id: uuid.UUID | None) -> RunView:
    """Issue the reserved reagents (consuming the reservations) and mark the run done.

    409 when the run is not scheduled, when a reagent is short (naming it), or when an
    issue is refused (a lot past its in-use expiry, say); nothing is issued then.
    """
    with db.tenant_session(tenant_id, user_id) as session:
        run = _run(session, tenant_id, run_id, lock=True)
        _check_open(run, "run")
        short = [f"{line.sku} (needs {line.needed.normalize():f}, holds {line.reserved.normalize():f})"
                 for line in _lines(session, tenant_id, run) if line.short > 0]
        if short:
            raise Conflict(f"the run is short of {', '.join(short)}: receive or release stock first", "assay_run_id")
        method = session.scalar(select(AssayMethod.name).where(AssayMethod.tenant_id == tenant_id,
                                                               AssayMethod.id == run.method_id))
        for held in _held(session, tenant_id, run.id):
            sku = session.scalar(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id == held.item_id))
            post_move(session, tenant_id, MoveRequest(
                kind="issue", sku=sku or "", quantity=held.remaining, idempotency_key=f"assay-run-{run.id}-{held.id}",
                from_location=str(run.location_id), reason=f"assay run: {method}"[:200], reference_type=REFERENCE,
                reference_id=str(run.id), reservation_id=held.id), user_id)
        run.status, run.closed_by, run.closed_at = "done", user_id, func.now()
        session.flush()
        return _run_views(session, tenant_id, [AssayRun.id == run.id])[0]


def cancel_run(tenant_id: uuid.UUID, run_id: uuid.UUID, user_id: uuid.UUID | None) -> RunView:
    """Cancel a scheduled run and release what it holds (409 when it is not scheduled)."""
    with db.tenant_session(tenant_id, user_id) as session:
        run = _run(session, tenant_id, run_id, lock=True)
        _check_open(run, "cancelled")
        for held in _held(session, tenant_id, run.id):
            release(session, tenant_id, held.id, user_id)
        run.status, run.closed_by, run.closed_at = "cancelled", user_id, func.now()
        session.flush()
        return _run_views(session, tenant_id, [AssayRun.id == run.id])[0]


def runs_short(session: Session, tenant_id: uuid.UUID, until: date | None = None) -> list[RunView]:
    """Scheduled runs (up to ``until``) that lack a reagent, by day."""
    conditions: list[Any] = [AssayRun.status == "scheduled"]
    if until is not None:
        conditions.append(AssayRun.scheduled_on <= until)
    return [run for run in _run_views(session, tenant_id, conditions) if run.short]


def retry_shortages(session: Session, tenant_id: uuid.UUID, today: date) -> int:
    """Daily: reserve what scheduled runs from today on still lack; how many runs gained."""
    gained = 0
    for view in runs_short(session, tenant_id):
        if view.scheduled_on < today:
            continue
        run = _run(session, tenant_id, view.id, lock=True)
        if reserve_missing(session, tenant_id, run, None) > 0:
            gained += 1
    return gained
