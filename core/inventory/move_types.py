"""The plain data a posting takes and gives back: ``MoveRequest``, ``MoveView``, ``MovePosted``.

These are the stable interface other features post through (cycle counts, receipts of
purchase orders, work-order issues). They carry no database state.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.inventory.refs import LocationRef, StockItem


@dataclass(frozen=True)
class MoveRequest:
    """What to post. Locations are addressed by id or by code (unique per plant).

    Which locations a kind needs: ``receipt`` → ``to_location``; ``issue`` and ``scrap``
    → ``from_location``; ``transfer`` → both; ``adjustment`` → ``to_location`` for a gain
    or ``from_location`` for a loss (exactly one). ``quantity`` is always positive.

    ``lot`` is required for lot-tracked items on inbound moves and refused for other
    items; on an outbound move of a lot-tracked item it may be left out, and lots are then
    allocated by the ``choose_lots`` hook (default: first received first), which may post
    one move per lot. ``expiry_date`` and ``supplier_lot`` describe a lot created by this
    (inbound) move. ``serials``: one per unit, for serial-tracked items only. ``unit_cost``
    applies to inbound moves (default: the item's current cost, for receipts its standard
    cost). ``idempotency_key`` is required: a repeat with the same key and the same
    request returns the original move; with another request it is refused (409).
    """

    kind: str
    sku: str
    quantity: Decimal
    idempotency_key: str
    from_location: str | None = None
    to_location: str | None = None
    lot: str | None = None
    expiry_date: date | None = None
    supplier_lot: str | None = None
    serials: tuple[str, ...] = ()
    unit_cost: Decimal | None = None
    reason: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    reservation_id: uuid.UUID | None = None

    def fingerprint(self) -> str:
        """A hash of everything but the key: "the same request" for idempotency."""
        return request_hash({
            "kind": self.kind, "sku": self.sku, "quantity": _number(self.quantity),
            "from": self.from_location, "to": self.to_location, "lot": self.lot,
            "expiry": self.expiry_date.isoformat() if self.expiry_date else None,
            "supplier_lot": self.supplier_lot, "serials": sorted(self.serials),
            "unit_cost": _number(self.unit_cost), "reason": self.reason,
            "reference": [self.reference_type, self.reference_id],
            "reservation": str(self.reservation_id) if self.reservation_id else None,
        })


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def request_hash(payload: dict[str, Any]) -> str:
    """sha256 of a canonical JSON rendering."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class DocumentRef:
    """The business document a move or reservation belongs to, e.g. ("work_order", "WO-7")."""

    type: str
    id: str


@dataclass(frozen=True)
class MoveView:
    """A posted move as the API and other services see it."""

    id: uuid.UUID
    seq: int
    batch_id: uuid.UUID
    kind: str
    item_id: uuid.UUID
    sku: str
    quantity: Decimal
    from_location_id: uuid.UUID | None
    from_location_code: str | None
    to_location_id: uuid.UUID | None
    to_location_code: str | None
    lot_id: uuid.UUID | None
    lot_code: str | None
    serials: list[str]
    unit_cost: Decimal | None
    total_cost: Decimal
    cost_variance: Decimal
    reason: str | None
    reference: DocumentRef | None
    reservation_id: uuid.UUID | None
    reverses_move_id: uuid.UUID | None
    reversed_by_move_id: uuid.UUID | None
    idempotency_key: str
    posted_at: datetime
    posted_by: uuid.UUID | None

    @property
    def direction(self) -> str:
        """``in`` (stock enters), ``out`` (stock leaves) or ``transfer``."""
        return direction_of(self.from_location_id, self.to_location_id)


def direction_of(from_id: Any, to_id: Any) -> str:
    if from_id is not None and to_id is not None:
        return "transfer"
    return "in" if to_id is not None else "out"


@dataclass(frozen=True)
class LotRef:
    """A lot as the ledger uses it."""

    id: uuid.UUID
    code: str
    status: str
    expiry_date: date | None
    received_at: datetime


@dataclass(frozen=True)
class PlannedMove:
    """A move checked and resolved, about to be written: what ``before_post_move`` sees."""

    kind: str
    item: StockItem
    quantity: Decimal
    from_location: LocationRef | None
    to_location: LocationRef | None
    lot: LotRef | None
    serials: tuple[str, ...]
    reason: str | None
    reference: DocumentRef | None
    reservation_id: uuid.UUID | None = None
    reverses_move_id: uuid.UUID | None = None

    @property
    def direction(self) -> str:
        """``in``, ``out`` or ``transfer``."""
        return direction_of(self.from_location, self.to_location)


@dataclass(frozen=True)
class MovePosted:
    """The result of a posting: the move(s) and whether this call created them.

    ``created`` is False when the idempotency key had already been used with the same
    request (the original moves are returned). ``moves`` has more than one entry only
    when an outbound move of a lot-tracked item was split over several lots.
    """

    moves: tuple[MoveView, ...]
    created: bool = field(default=True)

    @property
    def move(self) -> MoveView:
        """The first (usually the only) move."""
        return self.moves[0]
