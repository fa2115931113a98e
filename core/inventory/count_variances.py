"""A count's variances: the review (expected, book, counted, variance and its value) and the
posting that approves them. The workflow, and why serial lines post as they do, is told in
:mod:`core.inventory.counts`; the serial moves are planned by
:mod:`core.inventory.count_serial_moves`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import InvalidInput
from core.inventory import count_serials
from core.inventory.count_models import CycleCount, CycleCountLine
from core.inventory.count_serial_moves import SerialLine, SerialMove, plan_moves, whereabouts
from core.inventory.counts import (
    REASON,
    REFERENCE_TYPE,
    CountView,
    count_view,
    find_count,
    idempotency_key,
    line_rows,
    require_status,
)
from core.inventory.models import ItemValuation, StockMove
from core.inventory.move_types import MoveRequest, MoveView
from core.inventory.posting import post_move

SIX = Decimal("0.000001")


@dataclass(frozen=True)
class VarianceLine:
    id: uuid.UUID
    line_no: int
    sku: str
    item_name: str
    location_code: str
    lot_code: str | None
    found: bool
    expected_qty: Decimal
    book_qty: Decimal | None
    counted_qty: Decimal | None
    variance_qty: Decimal | None
    unit_cost: Decimal
    variance_value: Decimal | None
    move_id: uuid.UUID | None
    #: Serial lines: on the book there and not scanned / scanned and not on the book there.
    missing_serials: list[str] | None = None
    found_serials: list[str] | None = None
    #: Found serials moved here from another location (a transfer, no value): serial →
    #: that location; as planned, and once posted as the ledger shows.
    found_serials_from: dict[str, str] | None = None


@dataclass(frozen=True)
class VarianceReview:
    count: CountView
    lines: list[VarianceLine]
    lines_with_variance: int
    gain_value: Decimal
    loss_value: Decimal
    net_value: Decimal


@dataclass(frozen=True)
class _LineMove:
    """A move of a line, planned or posted: +1 gain, −1 loss, 0 transfer; its booked value."""

    sign: int
    serials: tuple[str, ...]
    transferred_from: uuid.UUID | None
    booked: Decimal | None


# ---------------------------------------------------------------- valuing


def current_unit_costs(session: Session, tenant_id: uuid.UUID, item_ids: set[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """Per item: average cost of the stock held, else its last unit cost, else standard cost."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Item.id, Item.standard_cost, ItemValuation.quantity, ItemValuation.value,
               ItemValuation.last_unit_cost)
        .outerjoin(ItemValuation, (ItemValuation.tenant_id == Item.tenant_id)
                   & (ItemValuation.item_id == Item.id))
        .where(Item.tenant_id == tenant_id, Item.id.in_(item_ids)))
    costs: dict[uuid.UUID, Decimal] = {}
    for item_id, standard, qty, value, last in rows:
        if qty is not None and qty > 0:
            costs[item_id] = (value / qty).quantize(SIX)
        elif last is not None:
            costs[item_id] = last
        else:
            costs[item_id] = standard
    return costs


def _variance(line: CycleCountLine) -> Decimal | None:
    if line.counted_qty is None:
        return None
    book = line.book_qty if line.book_qty is not None else line.expected_qty
    return line.counted_qty - book


def _value(qty: Decimal, unit: Decimal, moves: list[_LineMove], serial: bool) -> tuple[Decimal, Decimal]:
    """(gain, loss) of a line: what the ledger booked once posted, else at ``unit``."""
    if moves and all(m.booked is not None for m in moves):
        parts = [m.sign * (m.booked or Decimal(0)) for m in moves]
    elif serial:  # transfers are no gain: only the adjustments in and out have a value
        parts = [(m.sign * len(m.serials) * unit).quantize(SIX) for m in moves]
    else:
        parts = [(qty * unit).quantize(SIX)]
    return sum((p for p in parts if p > 0), Decimal(0)), -sum((p for p in parts if p < 0), Decimal(0))


# ---------------------------------------------------------------- the moves of the lines


def _serial_lines(rows: list[Any]) -> list[SerialLine]:
    lines = []
    for row in rows:
        line = row[0]
        diff = count_serials.difference(line)
        if diff is not None and (diff.missing or diff.found):
            lines.append(SerialLine(line.id, line.item_id, line.location_id, diff.missing, diff.found))
    return lines


def _planned_moves(session: Session, tenant_id: uuid.UUID, rows: list[Any]) -> dict[uuid.UUID, list[_LineMove]]:
    lines = _serial_lines(rows)
    planned: dict[uuid.UUID, list[_LineMove]] = {}
    for move in plan_moves(lines, whereabouts(session, tenant_id, lines)):
        source = move.from_location_id if move.kind == "transfer" else None
        planned.setdefault(move.line_id, []).append(_LineMove(move.sign, move.serials, source, None))
    return planned


def _posted_moves(session: Session, tenant_id: uuid.UUID, count_id: uuid.UUID) -> dict[uuid.UUID, list[_LineMove]]:
    """The count's moves per line, told apart by their keys (``cycle-count:<count>:<line>…``)."""
    prefix = f"cycle-count:{count_id}:"
    rows = session.execute(
        select(StockMove.idempotency_key, StockMove.kind, StockMove.from_location_id, StockMove.to_location_id,
               StockMove.serials, StockMove.total_cost)
        .where(StockMove.tenant_id == tenant_id, StockMove.reference_type == REFERENCE_TYPE,
               StockMove.reference_id == str(count_id)).order_by(StockMove.seq))
    posted: dict[uuid.UUID, list[_LineMove]] = {}
    for key, kind, source, target, serials, cost in rows:
        if not key.startswith(prefix):  # posted by hand against the count: not one of its lines
            continue
        transfer = kind == "transfer"
        sign = 0 if transfer else (1 if target is not None else -1)
        posted.setdefault(uuid.UUID(key[len(prefix):len(prefix) + 36]), []).append(
            _LineMove(sign, tuple(serials or ()), source if transfer else None, cost))
    return posted


def _location_codes(session: Session, tenant_id: uuid.UUID, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Location.id, Location.code).where(Location.tenant_id == tenant_id,
                                                                     Location.id.in_(ids)))
    return {location_id: code for location_id, code in rows}


# ---------------------------------------------------------------- review


def _line(row: Any, unit: Decimal, moves: list[_LineMove],
          codes: dict[uuid.UUID, str]) -> tuple[VarianceLine, Decimal, Decimal]:
    """A line of the review, with its gain and loss."""
    line, sku, name, _uom, loc, lot, _tracking = row
    qty = _variance(line)
    gain = loss = Decimal(0)
    if qty is not None:
        gain, loss = _value(qty, unit, moves, line.counted_serials is not None)
    diff = count_serials.difference(line)
    came_from = {s: codes[m.transferred_from] for m in moves if m.transferred_from for s in m.serials}
    view = VarianceLine(
        line.id, line.line_no, sku, name, loc, lot, line.found, line.expected_qty, line.book_qty,
        line.counted_qty, qty, unit, None if qty is None else gain - loss, line.move_id,
        list(diff.missing) if diff else None, list(diff.found) if diff else None, came_from if diff else None)
    return view, gain, loss


def review_count(tenant_id: uuid.UUID, count_id: uuid.UUID) -> VarianceReview:
    """Expected vs counted per line, with the variance in quantity and value (serial lines:
    also the missing and found serials, and where found ones are moved from)."""
    with db.tenant_session(tenant_id) as session:
        count = find_count(session, tenant_id, count_id)
        rows = line_rows(session, tenant_id, count_id)
        costs = current_unit_costs(session, tenant_id, {r[0].item_id for r in rows})
        moves = (_posted_moves(session, tenant_id, count_id) if count.status == "posted"
                 else _planned_moves(session, tenant_id, rows))
        codes = _location_codes(session, tenant_id, {m.transferred_from for ms in moves.values() for m in ms
                                                     if m.transferred_from})
        lines: list[VarianceLine] = []
        gain = loss = Decimal(0)
        for row in rows:
            line = row[0]
            unit = line.unit_cost if line.unit_cost is not None else costs.get(line.item_id, Decimal(0))
            view, line_gain, line_loss = _line(row, unit, moves.get(line.id, []), codes)
            lines.append(view)
            gain, loss = gain + line_gain, loss + line_loss
        varied = sum(1 for x in lines if x.variance_qty or x.missing_serials or x.found_serials)
        return VarianceReview(count_view(session, count, False), lines, varied, gain, loss, gain - loss)


# ---------------------------------------------------------------- posting


def _book(line: CycleCountLine, move: MoveView) -> None:
    """Link the line to its (first) move and keep the unit cost its adjustment booked."""
    if line.move_id is None:
        line.move_id = move.id
    if move.kind == "adjustment" and line.unit_cost is None:
        line.unit_cost = (move.total_cost / move.quantity).quantize(SIX)


def _post_quantity_line(session: Session, tenant_id: uuid.UUID, count: CycleCount, row: Any,
                        user_id: uuid.UUID | None) -> None:
    line, sku, _name, _uom, _loc, lot_code, tracking = row
    qty = _variance(line)
    if not qty or line.counted_serials is not None:
        return
    if tracking == "serial":  # counted by quantity before serials were scanned
        raise InvalidInput(f"line {line.line_no}: {sku} is serial-tracked; recount the line scanning "
                           f"its serials", "lines")
    gain = qty > 0
    request = MoveRequest(
        kind="adjustment", sku=sku, quantity=abs(qty),
        idempotency_key=idempotency_key(count.id, line.id),
        to_location=str(line.location_id) if gain else None,
        from_location=None if gain else str(line.location_id),
        # Gains are valued by the ledger's own rule (average, last, standard
        # cost): the same rule current_unit_costs shows in the review.
        lot=lot_code,
        reason=REASON, reference_type=REFERENCE_TYPE, reference_id=str(count.id),
    )
    _book(line, post_move(session, tenant_id, request, user_id).move)


def _serial_request(count: CycleCount, line: CycleCountLine, sku: str, move: SerialMove) -> MoveRequest:
    return MoveRequest(
        kind=move.kind, sku=sku, quantity=Decimal(len(move.serials)),
        idempotency_key=f"{idempotency_key(count.id, line.id)}:{move.key_suffix}",
        from_location=str(move.from_location_id) if move.from_location_id else None,
        to_location=str(move.to_location_id) if move.to_location_id else None,
        serials=move.serials, reason=REASON, reference_type=REFERENCE_TYPE, reference_id=str(count.id),
    )


def _post_serial_lines(session: Session, tenant_id: uuid.UUID, count: CycleCount, rows: list[Any],
                       user_id: uuid.UUID | None) -> None:
    by_id = {row[0].id: row for row in rows}
    lines = _serial_lines(rows)
    for move in plan_moves(lines, whereabouts(session, tenant_id, lines)):
        line, sku = by_id[move.line_id][0], by_id[move.line_id][1]
        _book(line, post_move(session, tenant_id, _serial_request(count, line, sku, move), user_id).move)


#: Every balance row of the count's items, in the one lock order of postings (item, then
#: location, then lot: see core.inventory.balances.lock_order).
_LOCK_BALANCES = """
SELECT 1 FROM stock_balance WHERE tenant_id = %(tenant)s AND item_id = ANY(%(items)s::uuid[])
ORDER BY item_id, location_id, lot_id NULLS FIRST FOR UPDATE
"""


def _lock_balances(session: Session, tenant_id: uuid.UUID, item_ids: set[uuid.UUID]) -> None:
    # A count posts several moves of one item in one transaction, and the first locks the
    # item's valuation row: the later moves' balance rows would then be taken after it,
    # against the order every posting keeps (balance rows, then valuation row), and a
    # concurrent posting of the item could deadlock with the count. Taken first, they are
    # held already when each move asks.
    db.driver_connection(session).execute(_LOCK_BALANCES, {"tenant": tenant_id, "items": list(item_ids)})


def post_count(tenant_id: uuid.UUID, count_id: uuid.UUID, user_id: uuid.UUID | None) -> VarianceReview:
    """Post every variance (serial lines: the moves their serials need); all lines or none.

    A count already posted is answered as it is (a retried approval posts nothing new).
    """
    with db.tenant_session(tenant_id, user_id) as session:
        count = find_count(session, tenant_id, count_id, lock=True)
        if count.status != "posted":
            require_status(count, "counted")
            rows = line_rows(session, tenant_id, count_id)
            _lock_balances(session, tenant_id, {row[0].item_id for row in rows})
            for row in rows:
                _post_quantity_line(session, tenant_id, count, row, user_id)
            _post_serial_lines(session, tenant_id, count, rows, user_id)
            count.status, count.posted_by, count.posted_at = "posted", user_id, func.now()
            session.flush()
    return review_count(tenant_id, count_id)
