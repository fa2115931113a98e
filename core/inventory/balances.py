"""Balances: the rows concurrent postings serialize on.

The balances a posting touches are changed by one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` (run by ``ledger_lock``, :mod:`core.inventory.locking`), which creates each
row or locks and changes it, and returns the quantity as it is after every earlier
posting committed. The rows are always taken in the same order (location id, then lot
id), so two postings that touch the same rows never wait on each other in a cycle: no
deadlocks. Availability is checked after the lock is held, with a fresh read of the open
reservations (in READ COMMITTED each statement sees what committed before it started, so
a reservation made while we waited is seen).

The rule for availability, per (item, location, lot):
``available = on hand − open reservations there``. A move that takes stock out may take
only what is available, plus — for an issue against a reservation — what that
reservation still holds. Items that allow negative stock skip the check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.inventory.errors import InsufficientStock
from core.inventory.models import Reservation, StockBalance
from core.inventory.refs import StockItem

#: (location id, lot id or None)
Key = tuple[uuid.UUID, uuid.UUID | None]


@dataclass(frozen=True)
class Change:
    """A change of one balance, with the codes to name it in a refusal."""

    location_id: uuid.UUID
    lot_id: uuid.UUID | None
    delta: Decimal
    location_code: str
    lot_code: str | None

    @property
    def key(self) -> Key:
        return (self.location_id, self.lot_id)


def lock_order(key: Key) -> tuple[str, str]:
    """The one order in which every posting takes balance rows."""
    return (str(key[0]), str(key[1] or ""))


def merge(changes: list[Change]) -> list[Change]:
    """One change per balance (an issue split over lots touches each balance once)."""
    merged: dict[Key, Change] = {}
    for change in changes:
        known = merged.get(change.key)
        merged[change.key] = change if known is None else Change(
            change.location_id, change.lot_id, known.delta + change.delta, change.location_code, change.lot_code)
    return sorted(merged.values(), key=lambda c: lock_order(c.key))


def reserved_at(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, keys: list[Key]) -> dict[Key, Decimal]:
    """Open reserved quantity at each (location, lot) of the item."""
    rows = session.execute(
        select(Reservation.location_id, Reservation.lot_id, func.sum(Reservation.remaining))
        .where(Reservation.tenant_id == tenant_id, Reservation.item_id == item_id,
               Reservation.status == "open",
               Reservation.location_id.in_({k[0] for k in keys}))
        .group_by(Reservation.location_id, Reservation.lot_id)
    )
    return {(loc, lot): qty for loc, lot, qty in rows}


def refuse_short(item: StockItem, taking: list[Change], after: dict[Key, Decimal],
                 reserved: dict[uuid.UUID | None, Decimal]) -> None:
    """Raise :class:`InsufficientStock` (409) when a balance is left below what is reserved
    there (``reserved``: per lot, at the one location stock is taken from)."""
    for change in taking:
        held = reserved.get(change.lot_id, Decimal(0))
        if after[change.key] < held:
            available = after[change.key] - change.delta - held
            raise InsufficientStock(item.sku, change.location_code, change.lot_code,
                                    max(available, Decimal(0)), -change.delta)


def lock_balance(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, key: Key) -> Decimal:
    """Lock one balance row (FOR UPDATE) and return its quantity (0 when there is none)."""
    quantity = session.scalar(
        select(StockBalance.quantity).where(
            StockBalance.tenant_id == tenant_id, StockBalance.item_id == item_id,
            StockBalance.location_id == key[0],
            StockBalance.lot_id.is_(None) if key[1] is None else StockBalance.lot_id == key[1],
        ).with_for_update()
    )
    return quantity if quantity is not None else Decimal(0)
