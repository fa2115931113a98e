"""Signup: a company, its first plant and its owner, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import db
from core.auth.passwords import check_password_rules, hash_password
from core.billing.plans import DEFAULT_PLAN, TRIAL_DAYS, get_plan
from core.errors import Conflict, InvalidInput
from core.tenancy.models import Membership, Plant, Tenant, User
from core.tenancy.roles import Role


@dataclass(frozen=True)
class SignupResult:
    tenant_id: uuid.UUID
    plant_id: uuid.UUID
    user_id: uuid.UUID


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively; we store them lower-cased and trimmed."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput("email is not a valid address", "email")
    return email


def _required(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} must not be empty", field)
    return value


def signup(company: str, plant: str, email: str, password: str, plan: str = DEFAULT_PLAN) -> SignupResult:
    """Create tenant (on ``plan``), plant, user and owner membership; 409 when the email is taken."""
    plan_code = get_plan(plan).code
    company, plant = _required(company, "company"), _required(plant, "plant")
    email = normalise_email(email)
    check_password_rules(password, email)
    tenant_id, plant_id, user_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    password_hash = hash_password(password)
    try:
        with db.tenant_session(tenant_id, user_id) as session:
            taken = session.scalar(select(func.count()).where(User.email == email))
            if taken:
                raise Conflict("an account with this email already exists", "email")
            # Every plan starts with its trial; Stripe's subscription (when configured) mirrors it.
            session.add(Tenant(id=tenant_id, name=company, plan=plan_code, subscription_status="trialing",
                               trial_ends_at=datetime.now(UTC) + timedelta(days=TRIAL_DAYS)))
            session.add(User(id=user_id, email=email, password_hash=password_hash))
            session.flush()
            session.add(Plant(tenant_id=tenant_id, id=plant_id, name=plant))
            session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=Role.OWNER.value))
    except IntegrityError as exc:  # two signups racing for one email
        raise Conflict("an account with this email already exists", "email") from exc
    return SignupResult(tenant_id, plant_id, user_id)
