"""API keys for integrations: shown once, stored hashed, scoped, revocable, last-used time.

Format: ``pk_<tenant id, 32 hex>_<secret, 48 hex>``. The tenant id lets the key be looked
up under row-level security without a global lookup table; the secret carries 192 random
bits, so a fast SHA-256 is a safe hash (argon2's slowness protects low-entropy passwords,
which a key is not). Only the hash and the secret's first 8 characters (to tell keys
apart in lists) are stored.

Scopes: ``read`` acts as a viewer (safe methods only); ``write`` acts as a planner (reads
and changes the catalog and plans). No key reaches team, audit, billing or key routes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core import db
from core.auth.login import Principal
from core.billing.status import access_for
from core.errors import InvalidInput, NotFound, Unauthorized
from core.orm import Base, created_at, tenant_fk, uuid_pk
from core.tenancy.models import Tenant
from core.tenancy.roles import Role

SCOPES = {"read": Role.VIEWER, "write": Role.PLANNER}
_FORMAT = re.compile(r"^pk_([0-9a-f]{32})_([0-9a-f]{48})$")
#: last_used_at is refreshed at most this often, so a busy integration costs no write per call.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class ApiKey(Base):
    __tablename__ = "api_key"
    __tenant_table__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "secret_hash"),)
    __audit_ignore__ = frozenset({"last_used_at"})
    __audit_redact__ = frozenset({"secret_hash"})

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(8))
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = created_at()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ApiKeyView:
    id: uuid.UUID
    name: str
    prefix: str
    scope: str
    created_by: uuid.UUID
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewApiKey:
    """A key just made: ``key`` is the only time the secret is shown."""

    key: str
    api_key: ApiKeyView


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(row: ApiKey) -> ApiKeyView:
    return ApiKeyView(row.id, row.name, row.prefix, row.scope, row.created_by, row.created_at,
                      row.last_used_at, row.revoked_at)


def looks_like_key(value: str) -> bool:
    """True for a string in the key format (``Authorization: Bearer pk_…``)."""
    return value.startswith("pk_")


def create_api_key(tenant_id: uuid.UUID, user_id: uuid.UUID, name: str, scope: str) -> NewApiKey:
    """Make a key named ``name`` with ``scope`` (read or write); the secret is returned once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name must be 1 to 100 characters", "name")
    if scope not in SCOPES:
        raise InvalidInput(f"scope must be one of: {', '.join(SCOPES)}", "scope")
    secret = secrets.token_hex(24)
    with db.tenant_session(tenant_id, user_id) as session:
        row = ApiKey(tenant_id=tenant_id, id=uuid.uuid4(), name=name, prefix=secret[:8],
                     secret_hash=_hash(secret), scope=scope, created_by=user_id)
        session.add(row)
        session.flush()
        session.refresh(row)
        return NewApiKey(f"pk_{tenant_id.hex}_{secret}", _view(row))


def list_api_keys(tenant_id: uuid.UUID) -> list[ApiKeyView]:
    """The tenant's keys (revoked ones too), newest first; never a secret."""
    with db.tenant_session(tenant_id) as session:
        rows = session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant_id)
                               .order_by(ApiKey.created_at.desc()))
        return [_view(r) for r in rows]


def revoke_api_key(tenant_id: uuid.UUID, user_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoke a key at once (idempotent); 404 for another tenant's or an unknown key."""
    with db.tenant_session(tenant_id, user_id) as session:
        row = session.scalars(select(ApiKey).where(
            ApiKey.tenant_id == tenant_id, ApiKey.id == key_id)).one_or_none()
        if row is None:
            raise NotFound(f"no API key {key_id}", "key_id")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)


def authenticate_api_key(key: str) -> tuple[Principal, str]:
    """The principal a key acts as and its scope; one vague 401 for every failure."""
    match = _FORMAT.match(key.strip())
    if match is None:
        raise Unauthorized("invalid or revoked API key")
    tenant_id, secret = uuid.UUID(match.group(1)), match.group(2)
    with db.tenant_session(tenant_id) as session:
        row = session.scalars(select(ApiKey).where(
            ApiKey.tenant_id == tenant_id, ApiKey.secret_hash == _hash(secret),
            ApiKey.revoked_at.is_(None))).one_or_none()
        # compare_digest on the stored hash too: no early-exit timing on the last step.
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
            raise Unauthorized("invalid or revoked API key")
        now = datetime.now(UTC)
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            row.last_used_at = now
        tenant = session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one()
        access = access_for(tenant.subscription_status, tenant.status_changed_at)
        principal = Principal(row.created_by, tenant_id, SCOPES[row.scope], f"api-key {row.prefix}",
                              tenant.name, api_key_id=row.id, access=access.level,
                              access_message=access.message)
        return principal, row.scope
