"""A lot's audit trail: every move, status change, signature and lab record of the lot,
merged in time order.

Sources: the stock ledger (core ``moves_where``), the audit log (every ORM change of the
lot's row and of its lab record: status, expiry, certificate, opening, with who and
when) and the immutable signatures. The lot's creation opens the trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.audit.models import AuditEntry
from core.catalog.models import Item
from core.inventory.lots import find_lot
from core.inventory.models import Lot
from core.inventory.move_queries import moves_where
from core.tenancy.models import User
from plugins.pharma_lab.signatures import signatures_of


@dataclass(frozen=True)
class TrailEvent:
    at: datetime
    #: created, move, status, signature, expiry, coa, opened
    kind: str
    summary: str
    by: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditTrail:
    lot_id: uuid.UUID
    code: str
    sku: str
    status: str
    events: list[TrailEvent]


def _emails(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).tuples().all())


def _plain(value: Any) -> str:
    return format(value.normalize(), "f")


def _move_events(session: Session, tenant_id: uuid.UUID, lot: Lot) -> list[TrailEvent]:
    moves = moves_where(session, tenant_id, [("lot_id", lot.id)])
    who = _emails(session, {m.posted_by for m in moves if m.posted_by})
    events = []
    for m in moves:
        where = " → ".join(c for c in (m.from_location_code, m.to_location_code) if c)
        reason = f" ({m.reason})" if m.reason else ""
        events.append(TrailEvent(m.posted_at, "move", f"{m.kind} {_plain(m.quantity)} at {where}{reason}",
                                 who.get(m.posted_by) if m.posted_by else None,
                                 {"move_id": str(m.id), "seq": m.seq, "kind": m.kind, "quantity": _plain(m.quantity),
                                  "reference": f"{m.reference.type} {m.reference.id}" if m.reference else None}))
    return events


def _changed(entry: AuditEntry, name: str) -> tuple[Any, Any] | None:
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "create":
        return (None, after.get(name)) if after.get(name) is not None else None
    if before.get(name) != after.get(name):
        return before.get(name), after.get(name)
    return None


def _log_events(session: Session, tenant_id: uuid.UUID, lot: Lot) -> list[TrailEvent]:
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.tenant_id == tenant_id, AuditEntry.table_name.in_(("lot", "pharma_lot_record")),
        AuditEntry.row_key == str(lot.id)).order_by(AuditEntry.at, AuditEntry.id))
    events = []
    for e in entries:
        if e.table_name == "lot":
            if (status := _changed(e, "status")) is not None:
                events.append(TrailEvent(e.at, "status", f"status {status[0]} → {status[1]}", e.actor,
                                         {"from": status[0], "to": status[1]}))
            if e.action == "update" and (expiry := _changed(e, "expiry_date")) is not None:
                events.append(TrailEvent(e.at, "expiry", f"expiry date {expiry[0] or 'none'} → {expiry[1] or 'none'}",
                                         e.actor, {"from": expiry[0], "to": expiry[1]}))
            continue
        if (coa := _changed(e, "coa_sha256")) is not None:
            name = (e.after or {}).get("coa_filename")
            events.append(TrailEvent(e.at, "coa", f"certificate of analysis {name} uploaded", e.actor,
                                     {"filename": name, "sha256": coa[1], "replaced": coa[0]}))
        if (opened := _changed(e, "opened_on")) is not None:
            events.append(TrailEvent(e.at, "opened", f"opened on {opened[1]}", e.actor, {"opened_on": opened[1]}))
    return events


def _first_status(events: list[TrailEvent], current: str) -> str:
    changes = [e for e in events if e.kind == "status"]
    return str(changes[0].details["from"]) if changes else current


def audit_trail(tenant_id: uuid.UUID, code: str, sku: str | None = None) -> AuditTrail:
    """The lot's whole history, oldest first (404 for an unknown lot)."""
    with db.tenant_session(tenant_id) as session:
        lot = find_lot(session, tenant_id, code, sku)
        item_sku = session.scalar(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id == lot.item_id)) or ""
        logged = _log_events(session, tenant_id, lot)
        signed = [TrailEvent(s.signed_at, "signature",
                             f"{'QC release' if s.action == 'release' else 'QC rejection'} signed: {s.meaning}",
                             s.signer_email,
                             {"signature_id": str(s.id), "meaning": s.meaning, "reason": s.reason,
                              "from": s.status_from, "to": s.status_to, "manifest_sha256": s.manifest_sha256,
                              "intact": s.intact})
                  for s in signatures_of(session, tenant_id, lot.id)]
        created = TrailEvent(lot.created_at, "created",
                             f"lot created with status {_first_status(logged, lot.status)}", None,
                             {"expiry_date": lot.expiry_date.isoformat() if lot.expiry_date else None,
                              "supplier_lot": lot.supplier_lot})
        # Same instant: creation first, then the move, the signature, then the change it made.
        order = {"created": 0, "move": 1, "signature": 2}
        events = sorted([created, *_move_events(session, tenant_id, lot), *signed, *logged],
                        key=lambda e: (e.at, order.get(e.kind, 3)))
        return AuditTrail(lot.id, lot.code, item_sku, lot.status, events)
