"""Recall trace, read from the ledger alone.

Forward from a lot (a raw material, say): every move of it; for each issue into a batch
(reference ``work_order``), the lots that batch made, traced forward in turn; and every
other move out of those lots (issues to customers, shipments, transfers, scrap).
Backward from a lot (a finished product): the batches that made it, the lots they
consumed, traced backward in turn down to the purchased lots.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from core import db
from core.errors import InvalidInput
from core.inventory.lots import LotView, get_lot
from core.inventory.move_queries import moves_where
from core.inventory.move_types import MoveView
from plugins.food_fifo.batches import REFERENCE

DIRECTIONS = ("forward", "backward")
MAX_DEPTH = 12


@dataclass(frozen=True)
class TraceMove:
    kind: str
    quantity: Decimal
    from_location: str | None
    to_location: str | None
    reference: str | None
    reason: str | None
    posted_at: datetime


@dataclass
class TraceNode:
    """A lot in the trace; ``batch`` is the batch that links it to its parent node."""

    sku: str
    lot: str
    status: str
    expiry_date: date | None
    on_hand: Decimal
    batch: str | None
    moves: list[TraceMove]
    children: list[TraceNode] = field(default_factory=list)


@dataclass(frozen=True)
class Recall:
    direction: str
    root: TraceNode
    lots: int
    batches: list[str]
    destinations: list[str]
    on_hand: dict[str, Decimal]  # per sku: what of the traced lots is still in stock


def _move(m: MoveView) -> TraceMove:
    ref = f"{m.reference.type} {m.reference.id}" if m.reference else None
    return TraceMove(m.kind, m.quantity, m.from_location_code, m.to_location_code, ref, m.reason, m.posted_at)


def _batch_moves(session: Session, tenant_id: uuid.UUID, number: str) -> list[MoveView]:
    return moves_where(session, tenant_id, [("reference_type", REFERENCE), ("reference_id", number)])


def _linked(session: Session, tenant_id: uuid.UUID, moves: list[MoveView], direction: str
            ) -> list[tuple[str, uuid.UUID]]:
    """(batch, lot id) pairs one step away: made from this lot, or that made it."""
    wanted_kind, linked_direction = ("issue", "in") if direction == "forward" else ("receipt", "out")
    found: dict[tuple[str, uuid.UUID], None] = {}
    for m in moves:
        if m.reference is None or m.reference.type != REFERENCE or m.kind != wanted_kind or m.reverses_move_id:
            continue
        for other in _batch_moves(session, tenant_id, m.reference.id):
            if other.direction == linked_direction and other.lot_id is not None and other.reversed_by_move_id is None:
                found[(m.reference.id, other.lot_id)] = None
    return list(found)


def _node(session: Session, tenant_id: uuid.UUID, lot: LotView, batch: str | None, direction: str,
          seen: set[uuid.UUID], depth: int) -> TraceNode:
    seen.add(lot.id)
    moves = moves_where(session, tenant_id, [("lot_id", lot.id)])
    node = TraceNode(lot.sku, lot.code, lot.status, lot.expiry_date, lot.on_hand, batch, [_move(m) for m in moves])
    if depth >= MAX_DEPTH:
        return node
    for number, lot_id in _linked(session, tenant_id, moves, direction):
        if lot_id not in seen:
            child = get_lot(tenant_id, str(lot_id))
            node.children.append(_node(session, tenant_id, child, number, direction, seen, depth + 1))
    return node


def _walk(node: TraceNode) -> list[TraceNode]:
    return [node, *[n for child in node.children for n in _walk(child)]]


def trace_recall(tenant_id: uuid.UUID, code: str, sku: str | None = None, direction: str = "forward") -> Recall:
    """The recall tree from lot ``code`` (or id), forward or backward, with a summary."""
    if direction not in DIRECTIONS:
        raise InvalidInput("direction must be forward or backward", "direction")
    lot = get_lot(tenant_id, code, sku)
    with db.tenant_session(tenant_id) as session:
        root = _node(session, tenant_id, lot, None, direction, set(), 0)
    nodes = _walk(root)
    batches = sorted({n.batch for n in nodes if n.batch})
    destinations = sorted({m.reference for n in nodes for m in n.moves
                           if m.reference and not m.reference.startswith(REFERENCE) and m.kind != "receipt"})
    on_hand: dict[str, Decimal] = {}
    for n in nodes:
        on_hand[n.sku] = on_hand.get(n.sku, Decimal(0)) + n.on_hand
    return Recall(direction, root, len(nodes), batches, destinations, dict(sorted(on_hand.items())))


CSV_COLUMNS = ("depth", "sku", "lot", "via_batch", "lot_status", "expiry_date", "on_hand", "move_kind",
               "quantity", "from_location", "to_location", "reference", "reason", "posted_at")


def recall_csv(recall: Recall) -> str:
    """One row per move of every lot in the trace (depth 0 is the lot asked about)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def rows(node: TraceNode, depth: int) -> None:
        lot = [depth, node.sku, node.lot, node.batch or "", node.status, node.expiry_date or "",
               _text(node.on_hand)]
        for m in node.moves:
            writer.writerow([*lot, m.kind, _text(m.quantity), m.from_location or "", m.to_location or "",
                             m.reference or "", m.reason or "", m.posted_at.isoformat()])
        for child in node.children:
            rows(child, depth + 1)

    rows(recall.root, 0)
    return out.getvalue()


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
