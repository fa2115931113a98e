"""Electronic signatures of QC decisions (21 CFR Part 11 style).

A QC release or rejection is signed by a person holding the ``qa`` role, who re-enters
their password and states the meaning of the signature and a reason. What was signed is
written down as a canonical JSON manifest (lot, item, status from → to, meaning, reason,
signer, UTC time) with its SHA-256; the row is immutable (no UPDATE or DELETE for the app
role, and a trigger refusing both). The lot's status changes in the same transaction.

Wrong passwords count against the same per-account limit as logins (core.auth.rate_limit),
so the signature form is no way around the login's brute-force protection.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.auth import rate_limit
from core.auth.passwords import verify_password
from core.catalog.models import Item
from core.errors import Conflict, Forbidden, InvalidInput
from core.inventory.lots import find_lot, set_lot_status
from core.inventory.models import Lot
from core.tenancy.models import User
from plugins.pharma_lab.models import LotSignature

#: What each decision does to a lot in quarantine.
ACTIONS = {"release": "available", "reject": "rejected"}
#: Meanings offered on the forms (any other text is accepted too).
SUGGESTED_MEANINGS = {
    "release": ("QC release: approved for use", "QC release: meets specification"),
    "reject": ("QC rejection: does not meet specification", "QC rejection: damaged or contaminated"),
}


@dataclass(frozen=True)
class Signer:
    """Who signs: a person's session (``api_key`` False), as the web layer resolved it."""

    user_id: uuid.UUID
    email: str
    api_key: bool = False
    address: str | None = None


@dataclass(frozen=True)
class SignatureRequest:
    action: str
    password: str
    meaning: str
    reason: str


@dataclass(frozen=True)
class SignatureView:
    id: uuid.UUID
    lot_id: uuid.UUID
    lot_code: str
    sku: str
    action: str
    status_from: str
    status_to: str
    meaning: str
    reason: str
    user_id: uuid.UUID
    signer_email: str
    signed_at: datetime
    manifest: dict[str, Any]
    manifest_sha256: str
    #: Whether the stored manifest still hashes to the stored SHA-256.
    intact: bool


def _text(value: Any, field: str, longest: int, shortest: int = 3) -> str:
    if not isinstance(value, str) or len(value.strip()) < shortest:
        raise InvalidInput(f"{field} is required (at least {shortest} characters)", field)
    clean = value.strip()
    if len(clean) > longest:
        raise InvalidInput(f"{field} must be at most {longest} characters", field)
    return clean


def _check_request(request: SignatureRequest) -> SignatureRequest:
    if request.action not in ACTIONS:
        raise InvalidInput(f"action must be one of: {', '.join(ACTIONS)}", "action")
    if not isinstance(request.password, str) or not request.password:
        raise InvalidInput("password is required: re-enter your password to sign", "password")
    return SignatureRequest(request.action, request.password, _text(request.meaning, "meaning", 200),
                            _text(request.reason, "reason", 1000))


def _check_password(signer: Signer, password: str) -> None:
    """The signer's own password, rate limited like a login; 403 naming ``password``."""
    rate_limit.check_login_allowed(signer.email, signer.address)
    with db.global_session() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == signer.user_id))
    if not verify_password(stored, password):
        rate_limit.record_failure(signer.email, signer.address)
        raise Forbidden("the password is not correct: nothing was signed", "password")
    rate_limit.clear_account(signer.email)


def canonical(manifest: dict[str, Any]) -> str:
    """The one text rendering of a manifest that is hashed and stored."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _manifest(tenant_id: uuid.UUID, lot: Lot, sku: str, request: SignatureRequest, signer: Signer,
              signed_at: datetime) -> dict[str, Any]:
    return {
        "tenant_id": str(tenant_id), "action": request.action,
        "lot": {"id": str(lot.id), "code": lot.code, "item_id": str(lot.item_id), "sku": sku,
                "expiry_date": lot.expiry_date.isoformat() if lot.expiry_date else None},
        "status_from": lot.status, "status_to": ACTIONS[request.action],
        "meaning": request.meaning, "reason": request.reason,
        "signer": {"user_id": str(signer.user_id), "email": signer.email},
        "signed_at": signed_at.isoformat(),
    }


def sign_lot(tenant_id: uuid.UUID, signer: Signer, code: str, request: SignatureRequest,
             sku: str | None = None) -> SignatureView:
    """Release or reject a lot in quarantine under the signer's electronic signature.

    422 naming the field for a missing meaning, reason or password; 403 for an API key
    (a signature is a person's act) or a wrong password (counted like a failed login,
    429 once locked); 409 when the lot is not in quarantine. Nothing changes on refusal.
    """
    if signer.api_key:
        raise Forbidden("an API key cannot sign: a signature is a person's act, sign in with your password",
                        "password")
    clean = _check_request(request)
    with db.tenant_session(tenant_id, signer.user_id) as session:
        find_lot(session, tenant_id, code, sku)  # 404 / 422 before the password is tried
    _check_password(signer, clean.password)
    with db.tenant_session(tenant_id, signer.user_id) as session:
        lot = find_lot(session, tenant_id, code, sku)
        session.refresh(lot, with_for_update=True)
        if lot.status != "quarantine":
            raise Conflict(f"lot {lot.code!r} is {lot.status}: only a lot in quarantine can be "
                           f"{'released' if clean.action == 'release' else 'rejected'}", "code")
        item_sku = session.scalar(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id == lot.item_id))
        signed_at = datetime.now(UTC)
        text = canonical(_manifest(tenant_id, lot, item_sku or "", clean, signer, signed_at))
        row = LotSignature(
            tenant_id=tenant_id, id=uuid.uuid4(), lot_id=lot.id, item_id=lot.item_id, user_id=signer.user_id,
            signer_email=signer.email, action=clean.action, meaning=clean.meaning, reason=clean.reason,
            status_from=lot.status, status_to=ACTIONS[clean.action], signed_at=signed_at, manifest=text,
            manifest_sha256=hashlib.sha256(text.encode()).hexdigest())
        session.add(row)
        set_lot_status(lot, ACTIONS[clean.action], signer.user_id)
        session.flush()
        return _view(row, lot.code, item_sku or "")


def _view(row: LotSignature, code: str, sku: str) -> SignatureView:
    intact = hashlib.sha256(row.manifest.encode()).hexdigest() == row.manifest_sha256
    return SignatureView(row.id, row.lot_id, code, sku, row.action, row.status_from, row.status_to, row.meaning,
                         row.reason, row.user_id, row.signer_email, row.signed_at, json.loads(row.manifest),
                         row.manifest_sha256, intact)


def signatures_of(session: Session, tenant_id: uuid.UUID, lot_id: uuid.UUID) -> list[SignatureView]:
    """Every signature on a lot, oldest first."""
    rows = session.execute(
        select(LotSignature, Lot.code, Item.sku)
        .join(Lot, (Lot.tenant_id == LotSignature.tenant_id) & (Lot.id == LotSignature.lot_id))
        .join(Item, (Item.tenant_id == LotSignature.tenant_id) & (Item.id == LotSignature.item_id))
        .where(LotSignature.tenant_id == tenant_id, LotSignature.lot_id == lot_id)
        .order_by(LotSignature.signed_at, LotSignature.id))
    return [_view(row, code, sku) for row, code, sku in rows]


def list_signatures(tenant_id: uuid.UUID, code: str, sku: str | None = None) -> list[SignatureView]:
    """The lot's signatures (404 for an unknown lot)."""
    with db.tenant_session(tenant_id) as session:
        lot = find_lot(session, tenant_id, code, sku)
        return signatures_of(session, tenant_id, lot.id)
