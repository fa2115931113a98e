"""Cycle counts: snapshot, blind entry, variance review, posting as adjustments, cancel.

This module holds the workflow up to the hand-in; the review and the posting are in
:mod:`core.inventory.count_variances`, the serial lines' rules in
:mod:`core.inventory.count_serials` and :mod:`core.inventory.count_serial_moves`.

States and who moves a count along (the web layer checks roles):

    open ──submit──► counted ──post──► posted
      │                 │
      └────cancel───────┴──► cancelled

* **create** (storekeeper, planner, admin, owner): the scope is a location with every
  location below it, and/or the items of an ABC class (classes as of today, default
  thresholds). One line per (item, location, lot) with a non-zero book quantity in the
  scope; ``expected_qty`` is that book quantity. A count is refused (409) when one of its
  lines is already on another open or counted count: two counts of the same stock would
  both post the same difference.
* **enter counts** (same roles, while open): by line id, or by sku + location (+ lot) for
  stock found where the book had none (a *found* line, expected 0). Each entry also
  stores the book quantity read in the same transaction: stock that moves between the
  snapshot and the counting does not become a variance. Entering a line again replaces
  its count. A serial-tracked line is counted by scanning: the entry gives ``serials``
  and its quantity is their number (see below).
* **submit** (same roles): every line must be counted; the count becomes ``counted``.
* **review** (owner, admin, planner): expected, book, counted, variance (counted − book),
  and its value at the item's current unit cost (average of the stock held, else last
  unit cost, else standard cost). Once posted, the value is what the ledger booked.
  Serial lines also list their ``missing_serials`` and ``found_serials``.
* **post** (owner, admin, planner — the approver is not necessarily the counter): every
  non-zero variance becomes one ``adjustment`` move (a serial line: the moves its serials
  need, see below), reason ``count``, reference
  ``cycle_count``/count id, through :func:`core.inventory.posting.post_move`, all in one
  transaction with the state change: all lines post or none. Each line has its own
  idempotency key (``cycle-count:<count id>:<line id>``), and posting a posted count
  answers with the count as it is: a retried approval posts once.
* **cancel**: an open count by any counter role; a counted one only by an approver
  (after submission the variances are the approver's business). Nothing is posted.

Serial-tracked items are counted by serial number, because the ledger knows each unit's
place and a quantity cannot say *which* units are missing. A line's entry gives the
serials scanned there (trimmed, distinct, none on another line of the count); the entry
keeps them with the serials the book has there at that moment, so the difference is per
serial: *missing* (on the book, not scanned) and *found* (scanned, not on the book). The
blind view shows only what was scanned. Posting turns the difference into moves planned
from where each serial is at posting time (:mod:`core.inventory.count_serial_moves`): a
missing serial still there is adjusted out; a found serial the book has at another
location is transferred from there (a misplaced unit is not a gain, and one transfer
replaces a loss here plus a gain there); a found serial not in stock is adjusted in; a
serial already where the count says needs nothing. These moves go through ``post_move``
like the others — same transaction, reason and reference — with keys derived from the
line's key (``<line key>:out``, ``:in``, ``:from:<location id>``). A serial line counted
by quantity alone (before serials were scanned) still cannot post a variance (422).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import Conflict, InvalidInput, NotFound
from core.inventory import count_serials
from core.inventory.abc import item_classes
from core.inventory.count_models import ABC_CLASSES, CycleCount, CycleCountLine
from core.inventory.models import Lot, StockBalance
from core.inventory.move_input import amount
from core.inventory.move_input import text as clean_text
from core.inventory.refs import find_location_ref, find_stock_item, subtree_ids
from core.tenancy.roles import CATALOG_WRITERS, Role

#: Who may create, count, submit and cancel an open count.
COUNTERS = CATALOG_WRITERS
#: Who may review variances, post (approve) and cancel a submitted count.
APPROVERS = frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER})

REASON = "count"
REFERENCE_TYPE = "cycle_count"
ACTIVE = ("open", "counted")
MAX_ENTRIES = 1000


def idempotency_key(count_id: uuid.UUID, line_id: uuid.UUID) -> str:
    """The key of a line's adjustment: one per line, so a retried approval posts once."""
    return f"cycle-count:{count_id}:{line_id}"


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class CountLineView:
    """A line as the counter sees it: what to count and what was counted, no book figures."""

    id: uuid.UUID
    line_no: int
    item_id: uuid.UUID
    sku: str
    item_name: str
    uom: str
    location_id: uuid.UUID
    location_code: str
    lot_id: uuid.UUID | None
    lot_code: str | None
    found: bool
    counted_qty: Decimal | None
    counted_at: datetime | None
    #: Counted by scanning serial numbers; ``counted_serials`` is what was scanned.
    serial_tracked: bool = False
    counted_serials: list[str] | None = None


@dataclass(frozen=True)
class CountView:
    id: uuid.UUID
    number: int
    status: str
    location_id: uuid.UUID | None
    location_code: str | None
    abc_class: str | None
    note: str | None
    line_count: int
    counted_lines: int
    created_by: uuid.UUID | None
    created_at: datetime
    submitted_at: datetime | None
    posted_at: datetime | None
    posted_by: uuid.UUID | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    lines: list[CountLineView] | None = None


# ---------------------------------------------------------------- reading


def find_count(session: Session, tenant_id: uuid.UUID, count_id: uuid.UUID, lock: bool = False) -> CycleCount:
    query = select(CycleCount).where(CycleCount.tenant_id == tenant_id, CycleCount.id == count_id)
    if lock:
        query = query.with_for_update()
    row = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if row is None:
        raise NotFound(f"no cycle count {count_id}", "count_id")
    return row


def line_rows(session: Session, tenant_id: uuid.UUID, count_id: uuid.UUID) -> list[Any]:
    return list(session.execute(
        select(CycleCountLine, Item.sku, Item.name, Item.uom, Location.code, Lot.code, Item.tracking)
        .join(Item, (Item.tenant_id == CycleCountLine.tenant_id) & (Item.id == CycleCountLine.item_id))
        .join(Location, (Location.tenant_id == CycleCountLine.tenant_id)
              & (Location.id == CycleCountLine.location_id))
        .outerjoin(Lot, (Lot.tenant_id == CycleCountLine.tenant_id) & (Lot.id == CycleCountLine.lot_id))
        .where(CycleCountLine.tenant_id == tenant_id, CycleCountLine.count_id == count_id)
        .order_by(CycleCountLine.line_no)
        .execution_options(populate_existing=True)
    ).all())


def _blind_line(row: Any) -> CountLineView:
    line, sku, name, uom, loc, lot, tracking = row
    return CountLineView(line.id, line.line_no, line.item_id, sku, name, uom, line.location_id, loc,
                         line.lot_id, lot, line.found, line.counted_qty, line.counted_at, tracking == "serial",
                         line.counted_serials)


def count_view(session: Session, row: CycleCount, with_lines: bool) -> CountView:
    tid = row.tenant_id
    total, counted = session.execute(
        select(func.count(), func.count(CycleCountLine.counted_qty))
        .where(CycleCountLine.tenant_id == tid, CycleCountLine.count_id == row.id)
    ).one()
    code = None
    if row.location_id:
        code = session.scalar(select(Location.code).where(Location.tenant_id == tid,
                                                          Location.id == row.location_id))
    lines = [_blind_line(r) for r in line_rows(session, tid, row.id)] if with_lines else None
    return CountView(row.id, row.number, row.status, row.location_id, code, row.abc_class, row.note,
                     total, counted, row.created_by, row.created_at, row.submitted_at, row.posted_at,
                     row.posted_by, row.cancelled_at, row.cancel_reason, lines)


def get_count(tenant_id: uuid.UUID, count_id: uuid.UUID) -> CountView:
    """A count with its lines as the counter sees them: no expected or book quantities."""
    with db.tenant_session(tenant_id) as session:
        return count_view(session, find_count(session, tenant_id, count_id), True)


def list_counts(tenant_id: uuid.UUID, status: str | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[CountView], int]:
    """A page of counts, newest first, and how many match."""
    conditions: list[Any] = [CycleCount.tenant_id == tenant_id]
    if status:
        if status not in ("open", "counted", "posted", "cancelled"):
            raise InvalidInput("status must be one of: open, counted, posted, cancelled", "status")
        conditions.append(CycleCount.status == status)
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).select_from(CycleCount).where(*conditions)) or 0
        rows = session.scalars(select(CycleCount).where(*conditions)
                               .order_by(CycleCount.number.desc()).limit(limit).offset(offset)).all()
        return [count_view(session, r, False) for r in rows], total


# ---------------------------------------------------------------- creating


def _scope_location(session: Session, tenant_id: uuid.UUID, raw: dict[str, Any]) -> uuid.UUID | None:
    ref = raw.get("location")
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        return None
    if not isinstance(ref, str | uuid.UUID):
        raise InvalidInput("location must be a location id or code", "location")
    return find_location_ref(session, tenant_id, str(ref).strip(), "location", InvalidInput).id


def _scope_class(raw: dict[str, Any]) -> str | None:
    value = raw.get("abc_class")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().upper() not in ABC_CLASSES:
        raise InvalidInput("abc_class must be one of: A, B, C", "abc_class")
    return value.strip().upper()


def _snapshot(session: Session, tenant_id: uuid.UUID, location_id: uuid.UUID | None,
              abc_class: str | None) -> list[StockBalance]:
    conditions: list[Any] = [StockBalance.tenant_id == tenant_id, StockBalance.quantity != 0]
    if location_id is not None:
        conditions.append(StockBalance.location_id.in_(subtree_ids(tenant_id, location_id)))
    if abc_class is not None:
        classes = item_classes(session, tenant_id, date.today())
        wanted = [item_id for item_id, klass in classes.items() if klass == abc_class]
        conditions.append(StockBalance.item_id.in_(wanted))
    return list(session.scalars(
        select(StockBalance).join(Item, (Item.tenant_id == StockBalance.tenant_id)
                                  & (Item.id == StockBalance.item_id))
        .join(Location, (Location.tenant_id == StockBalance.tenant_id)
              & (Location.id == StockBalance.location_id))
        .where(*conditions).order_by(Location.code, Item.sku, StockBalance.lot_id)
    ))


def _refuse_overlap(session: Session, tenant_id: uuid.UUID, keys: list[tuple[Any, Any, Any]]) -> None:
    if not keys:
        return
    line_key = tuple_(CycleCountLine.item_id, CycleCountLine.location_id,
                      func.coalesce(CycleCountLine.lot_id, uuid.UUID(int=0)))
    wanted = [(i, loc, lot or uuid.UUID(int=0)) for i, loc, lot in keys]
    other = session.scalar(
        select(CycleCount.number)
        .join(CycleCountLine, (CycleCountLine.tenant_id == CycleCount.tenant_id)
              & (CycleCountLine.count_id == CycleCount.id))
        .where(CycleCount.tenant_id == tenant_id, CycleCount.status.in_(ACTIVE), line_key.in_(wanted))
        .limit(1)
    )
    if other is not None:
        raise Conflict(f"count {other} is still open on some of this stock: post or cancel it first",
                       "location")


def _lock_numbering(session: Session, tenant_id: uuid.UUID) -> None:
    # Numbers are max + 1 per tenant: serialize concurrent creations of one tenant only.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"cycle_count:{tenant_id}"})


def create_count(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> CountView:
    """Open a count on a location (with its children) and/or an ABC class; snapshot its lines."""
    unknown = sorted(set(raw) - {"location", "abc_class", "note"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a field of a count", unknown[0])
    abc_class = _scope_class(raw)
    note = clean_text(raw.get("note"), "note", 200)
    with db.tenant_session(tenant_id, user_id) as session:
        location_id = _scope_location(session, tenant_id, raw)
        if location_id is None and abc_class is None:
            raise InvalidInput("say what to count: a location, an ABC class, or both", "location")
        _lock_numbering(session, tenant_id)
        balances = _snapshot(session, tenant_id, location_id, abc_class)
        _refuse_overlap(session, tenant_id, [(b.item_id, b.location_id, b.lot_id) for b in balances])
        number = (session.scalar(select(func.max(CycleCount.number))
                                 .where(CycleCount.tenant_id == tenant_id)) or 0) + 1
        count = CycleCount(tenant_id=tenant_id, id=uuid.uuid4(), number=number, location_id=location_id,
                           abc_class=abc_class, status="open", note=note, created_by=user_id)
        session.add(count)
        session.flush()
        session.add_all([
            CycleCountLine(tenant_id=tenant_id, id=uuid.uuid4(), count_id=count.id, line_no=n,
                           item_id=b.item_id, location_id=b.location_id, lot_id=b.lot_id, found=False,
                           expected_qty=b.quantity)
            for n, b in enumerate(balances, start=1)
        ])
        session.flush()
        return count_view(session, count, True)


# ---------------------------------------------------------------- counting


def require_status(count: CycleCount, *states: str) -> None:
    if count.status not in states:
        raise Conflict(f"count {count.number} is {count.status}; this needs it "
                       f"{' or '.join(states)}", "status")


def _book_qty(session: Session, tenant_id: uuid.UUID, line: CycleCountLine) -> Decimal:
    lot_match = StockBalance.lot_id.is_(None) if line.lot_id is None else StockBalance.lot_id == line.lot_id
    found = session.scalar(select(StockBalance.quantity).where(
        StockBalance.tenant_id == tenant_id, StockBalance.item_id == line.item_id,
        StockBalance.location_id == line.location_id, lot_match))
    return found if found is not None else Decimal(0)


def _in_scope(session: Session, tenant_id: uuid.UUID, count: CycleCount, location_id: uuid.UUID) -> bool:
    if count.location_id is None:
        return True
    return location_id in set(session.scalars(subtree_ids(tenant_id, count.location_id)))


def _found_line(session: Session, tenant_id: uuid.UUID, count: CycleCount, entry: dict[str, Any],
                where: str, lines: dict[uuid.UUID, CycleCountLine]) -> CycleCountLine:
    """The line for sku + location (+ lot) named by a counter: existing, or a new found line."""
    sku = clean_text(entry.get("sku"), f"{where}.sku", 64, required=True) or ""
    item = find_stock_item(session, tenant_id, sku, f"{where}.sku")
    loc_ref = clean_text(entry.get("location"), f"{where}.location", 64, required=True) or ""
    location = find_location_ref(session, tenant_id, loc_ref, f"{where}.location", InvalidInput)
    if not _in_scope(session, tenant_id, count, location.id):
        raise InvalidInput(f"location {location.code} is outside count {count.number}", f"{where}.location")
    lot_code = clean_text(entry.get("lot"), f"{where}.lot", 64)
    lot_id = None
    if item.tracking == "lot":
        if lot_code is None:
            raise InvalidInput(f"{item.sku} is lot-tracked: give the lot", f"{where}.lot")
        lot_id = session.scalar(select(Lot.id).where(Lot.tenant_id == tenant_id, Lot.item_id == item.id,
                                                     Lot.code == lot_code))
        if lot_id is None:
            raise InvalidInput(f"{item.sku} has no lot {lot_code!r}: receive a new lot instead",
                               f"{where}.lot")
    elif lot_code is not None:
        raise InvalidInput(f"{item.sku} is not lot-tracked: leave the lot out", f"{where}.lot")
    for line in lines.values():
        if (line.item_id, line.location_id, line.lot_id) == (item.id, location.id, lot_id):
            return line
    line = CycleCountLine(tenant_id=tenant_id, id=uuid.uuid4(), count_id=count.id,
                          line_no=max((x.line_no for x in lines.values()), default=0) + 1,
                          item_id=item.id, location_id=location.id, lot_id=lot_id, found=True,
                          expected_qty=Decimal(0))
    session.add(line)
    lines[line.id] = line
    return line


def _items(session: Session, tenant_id: uuid.UUID, item_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """sku and tracking per item."""
    return {item_id: (sku, tracking) for item_id, sku, tracking in session.execute(
        select(Item.id, Item.sku, Item.tracking).where(Item.tenant_id == tenant_id, Item.id.in_(item_ids)))}


def _entry_line(session: Session, tenant_id: uuid.UUID, count: CycleCount, entry: dict[str, Any], where: str,
                lines: dict[uuid.UUID, CycleCountLine]) -> CycleCountLine:
    """The line an entry counts: by ``line_id``, else by sku + location (+ lot)."""
    if entry.get("line_id") is None:
        return _found_line(session, tenant_id, count, entry, where, lines)
    try:
        line_id = uuid.UUID(str(entry["line_id"]))
    except ValueError as exc:
        raise InvalidInput("line_id must be an id", f"{where}.line_id") from exc
    if line_id not in lines:
        raise InvalidInput(f"count {count.number} has no line {line_id}", f"{where}.line_id")
    return lines[line_id]


def _record(session: Session, tenant_id: uuid.UUID, line: CycleCountLine, counted: count_serials.SerialCount,
            user_id: uuid.UUID | None) -> None:
    """Store a count with the book as it is now (serial lines: the serials there, and their number)."""
    line.counted_qty = counted.counted
    line.counted_serials = list(counted.serials) if counted.serials is not None else None
    line.counted_by = user_id
    line.counted_at = func.now()
    if counted.serials is None:
        line.book_qty = _book_qty(session, tenant_id, line)
        return
    line.book_serials = count_serials.book_serials(session, tenant_id, line.item_id, line.location_id)
    line.book_qty = Decimal(len(line.book_serials))


def enter_counts(tenant_id: uuid.UUID, count_id: uuid.UUID, entries: Sequence[dict[str, Any]],
                 user_id: uuid.UUID | None) -> CountView:
    """Record counted quantities (blind: the answer has no book figures); all or nothing.

    Each entry is ``{"line_id", "counted"}`` or, for stock found where the book had none,
    ``{"sku", "location", "lot"?, "counted"}``; a serial-tracked item's entry gives
    ``serials`` (the serial numbers scanned) instead of, or besides, ``counted``.
    Errors name ``lines[i].<field>``.
    """
    with db.tenant_session(tenant_id, user_id) as session:
        count = find_count(session, tenant_id, count_id, lock=True)  # 404 before anything else
        if not isinstance(entries, list | tuple) or not entries:
            raise InvalidInput("lines must be a non-empty list of counts", "lines")
        if len(entries) > MAX_ENTRIES:
            raise InvalidInput(f"at most {MAX_ENTRIES} lines at once", "lines")
        require_status(count, "open")
        lines = {line.id: line for line in session.scalars(
            select(CycleCountLine).where(CycleCountLine.tenant_id == tenant_id,
                                         CycleCountLine.count_id == count_id))}
        items = _items(session, tenant_id, {line.item_id for line in lines.values()})
        for i, entry in enumerate(entries):
            where = f"lines[{i}]"
            if not isinstance(entry, dict):
                raise InvalidInput("each line is an object", where)
            if entry.get("counted") is None and entry.get("serials") is None:
                raise InvalidInput("counted is required (serials, for a serial-tracked item)", f"{where}.counted")
            counted = None if entry.get("counted") is None else amount(
                entry.get("counted"), f"{where}.counted", positive=False)
            line = _entry_line(session, tenant_id, count, entry, where, lines)
            if line.item_id not in items:  # a found line of an item not on the count yet
                items.update(_items(session, tenant_id, {line.item_id}))
            sku, tracking = items[line.item_id]
            settled = count_serials.settle_count(counted, entry.get("serials"), tracking == "serial", sku, where)
            if settled.serials:
                count_serials.refuse_scanned_twice(line, settled.serials, lines.values(), where)
            _record(session, tenant_id, line, settled, user_id)
        session.flush()
        return count_view(session, count, True)


def submit_count(tenant_id: uuid.UUID, count_id: uuid.UUID, user_id: uuid.UUID | None) -> CountView:
    """open → counted, once every line has a count (422 naming the first uncounted lines)."""
    with db.tenant_session(tenant_id, user_id) as session:
        count = find_count(session, tenant_id, count_id, lock=True)
        require_status(count, "open")
        missing = list(session.scalars(
            select(CycleCountLine.line_no).where(CycleCountLine.tenant_id == tenant_id,
                                                 CycleCountLine.count_id == count_id,
                                                 CycleCountLine.counted_qty.is_(None))
            .order_by(CycleCountLine.line_no)))
        if missing:
            shown = ", ".join(str(n) for n in missing[:10]) + (" …" if len(missing) > 10 else "")
            raise InvalidInput(f"{len(missing)} line(s) not counted yet: {shown}", "lines")
        count.status, count.submitted_by, count.submitted_at = "counted", user_id, func.now()
        session.flush()
        return count_view(session, count, True)


def cancel_count(tenant_id: uuid.UUID, count_id: uuid.UUID, user_id: uuid.UUID | None,
                 approver: bool, reason: str | None = None) -> CountView:
    """Cancel an open count (any counter) or a counted one (approvers only); nothing posts."""
    cleaned = clean_text(reason, "reason", 200)
    with db.tenant_session(tenant_id, user_id) as session:
        count = find_count(session, tenant_id, count_id, lock=True)
        require_status(count, *ACTIVE)
        if count.status == "counted" and not approver:
            raise Conflict("a submitted count can be cancelled only by an owner, admin or planner",
                           "status")
        count.status, count.cancelled_by, count.cancelled_at = "cancelled", user_id, func.now()
        count.cancel_reason = cleaned
        session.flush()
        return count_view(session, count, False)
