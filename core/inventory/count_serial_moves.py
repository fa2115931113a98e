"""The moves that post the serial differences of a count, planned from where serials are now.

The plan is a pure function of the count's serial lines and of each serial's current
location (read just before posting, or for the review):

- a *found* serial the book has at another location moves from there by a ``transfer``:
  the unit was misplaced, not gained (the ledger books no value for it);
- a *found* serial not in stock (never seen, or issued, scrapped, adjusted out) comes in
  by an ``adjustment`` at the line's location: a gain;
- a *missing* serial still at the line's location leaves by an ``adjustment``: a loss —
  unless it was found on another line of the same count, where its transfer takes it;
- a serial already where the count says (a found one moved here, a missing one moved away
  since the line was counted) needs no move: the book agrees with the count.

Serials are judged where they are at posting, not where they were at counting: stock that
moves in between is no variance, as for quantities. Each line's moves have keys derived
from the line's key (``:out``, ``:in``, ``:from:<location id>``), so a retried approval
finds them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.inventory.models import SerialNumber

#: (item id, serial) → where the serial is now; None when it is out of stock or unknown.
Whereabouts = dict[tuple[uuid.UUID, str], uuid.UUID | None]


@dataclass(frozen=True)
class SerialLine:
    """A counted serial line as the plan needs it."""

    id: uuid.UUID
    item_id: uuid.UUID
    location_id: uuid.UUID
    missing: tuple[str, ...]
    found: tuple[str, ...]


@dataclass(frozen=True)
class SerialMove:
    """One move to post for a line: an adjustment in or out, or a transfer to the line."""

    line_id: uuid.UUID
    kind: str
    serials: tuple[str, ...]
    from_location_id: uuid.UUID | None
    to_location_id: uuid.UUID | None
    key_suffix: str

    @property
    def sign(self) -> int:
        """+1 a gain, −1 a loss, 0 a transfer (stock that only changes place)."""
        if self.kind == "transfer":
            return 0
        return 1 if self.to_location_id is not None else -1


def whereabouts(session: Session, tenant_id: uuid.UUID, lines: Iterable[SerialLine]) -> Whereabouts:
    """Where each missing or found serial of ``lines`` is now (no lock: posting checks again)."""
    wanted = {(line.item_id, s) for line in lines for s in (*line.missing, *line.found)}
    if not wanted:
        return {}
    rows = session.execute(
        select(SerialNumber.item_id, SerialNumber.serial, SerialNumber.location_id).where(
            SerialNumber.tenant_id == tenant_id,
            tuple_(SerialNumber.item_id, SerialNumber.serial).in_(sorted(wanted))))
    return {(item_id, serial): location_id for item_id, serial, location_id in rows}


def plan_moves(lines: list[SerialLine], where: Whereabouts) -> list[SerialMove]:
    """Per line in order: its transfers (by source location), then its loss, then its gain."""
    found_anywhere = {(line.item_id, s) for line in lines for s in line.found}
    moves: list[SerialMove] = []
    for line in lines:
        moves.extend(_transfers(line, where))
        gone = tuple(s for s in line.missing if where.get((line.item_id, s)) == line.location_id
                     and (line.item_id, s) not in found_anywhere)
        if gone:
            moves.append(SerialMove(line.id, "adjustment", gone, line.location_id, None, "out"))
        new = tuple(s for s in line.found if where.get((line.item_id, s)) is None)
        if new:
            moves.append(SerialMove(line.id, "adjustment", new, None, line.location_id, "in"))
    return moves


def _transfers(line: SerialLine, where: Whereabouts) -> list[SerialMove]:
    sources: dict[uuid.UUID, list[str]] = {}
    for serial in line.found:
        at = where.get((line.item_id, serial))
        if at is not None and at != line.location_id:
            sources.setdefault(at, []).append(serial)
    return [SerialMove(line.id, "transfer", tuple(serials), source, line.location_id, f"from:{source}")
            for source, serials in sorted(sources.items(), key=lambda pair: str(pair[0]))]
