"""Checking credentials and resolving who a token holder is in their tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from core import db
from core.auth import rate_limit
from core.auth.passwords import verify_password
from core.billing.status import access_for
from core.errors import Unauthorized
from core.tenancy.models import Membership, Tenant, User
from core.tenancy.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, the tenant they act in, and their role there."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    email: str
    tenant_name: str
    #: Set when an API key (not a person's session) is calling; ``email`` then names the key.
    api_key_id: uuid.UUID | None = None
    #: What the subscription allows: full, warning (banner) or read_only (writes get 402).
    access: str = "full"
    access_message: str | None = None


def authenticate(email: str, password: str, address: str | None = None) -> Principal:
    """The principal for valid credentials; one vague 401 for every kind of failure.

    Rate limited per account and per client ``address`` (429 with the seconds to wait).
    """
    email = email.strip().lower()
    rate_limit.check_login_allowed(email, address)
    with db.global_session() as session:
        user = session.scalars(select(User).where(User.email == email)).one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        rate_limit.record_failure(email, address)
        raise Unauthorized("email or password is incorrect")
    rate_limit.clear_account(email)
    with db.tenant_session(None, user.id) as session:
        row = session.execute(
            select(Membership, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user.id)
            .order_by(Membership.created_at)
            .limit(1)
        ).first()
    if row is None:
        raise Unauthorized("email or password is incorrect")
    membership, tenant = row
    return Principal(user.id, tenant.id, Role(membership.role), user.email, tenant.name)


#: Who a token's user is in its tenant: every API request and page asks, so it is plain SQL
#: on the driver (an ORM select costs ~0.4 ms of Python more; see core.inventory.ledger_sql).
_PRINCIPAL = """
SELECT m.role, u.email, t.name, t.subscription_status, t.status_changed_at
FROM membership m JOIN tenant t ON t.id = m.tenant_id JOIN app_user u ON u.id = m.user_id
WHERE m.tenant_id = %(tenant)s AND m.user_id = %(user)s
"""


def load_principal(user_id: uuid.UUID, tenant_id: uuid.UUID) -> Principal:
    """Resolve a token's user in its tenant; 401 once the membership is gone."""
    with db.tenant_session(tenant_id, user_id) as session:
        row = db.driver_connection(session).execute(
            _PRINCIPAL, {"tenant": tenant_id, "user": user_id}).fetchone()
    if row is None:
        raise Unauthorized("invalid or expired token")
    role, email, tenant_name, status, changed_at = row
    access = access_for(status, changed_at)
    return Principal(user_id, tenant_id, Role(role), email, tenant_name,
                     access=access.level, access_message=access.message)
