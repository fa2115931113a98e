"""What the subscription's status means for the tenant: full use, a banner, or read-only.

trialing and active: full use. past_due (Stripe is retrying the card): full use with a
banner. unpaid, canceled (and the other ended states): full use with a banner during a
grace period of ``PLANTOPS_BILLING_GRACE_DAYS`` (default 7) from the status change, then
read-only: every write answers 402 saying why and where to pay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core import db
from core.config import get_settings
from core.errors import NotFound
from core.tenancy.models import Tenant

FULL_USE = frozenset({"trialing", "active"})
WARN_ONLY = frozenset({"past_due"})
BILLING_PATH = "/app/billing"


@dataclass(frozen=True)
class Access:
    """``level`` is full, warning or read_only; ``message`` explains anything but full."""

    level: str
    message: str | None


@dataclass(frozen=True)
class BillingState:
    plan: str
    status: str
    access: str
    message: str | None
    trial_ends_at: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    grace_ends_at: datetime | None
    has_payment_account: bool


def access_for(status: str, changed_at: datetime, now: datetime | None = None) -> Access:
    """The access a status grants at ``now`` (pure: the rule in one place)."""
    now = now or datetime.now(UTC)
    pay = f"pay at {get_settings().base_url}{BILLING_PATH}"
    if status in FULL_USE:
        return Access("full", None)
    if status in WARN_ONLY:
        return Access("warning", f"the last payment failed and Stripe is retrying it; "
                                 f"update your payment details: {pay}")
    grace_end = changed_at + timedelta(days=get_settings().billing_grace_days)
    if now < grace_end:
        return Access("warning", f"the subscription is {status}; the account turns read-only on "
                                 f"{grace_end:%Y-%m-%d} unless it is paid: {pay}")
    return Access("read_only", f"this account is read-only because the subscription is {status} "
                               f"since {changed_at:%Y-%m-%d} and the {get_settings().billing_grace_days}-day "
                               f"grace period has ended; {pay}")


def billing_state(tenant_id: uuid.UUID) -> BillingState:
    """The tenant's plan, subscription status and what it means for access."""
    with db.tenant_session(tenant_id) as session:
        t = session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one_or_none()
        if t is None:
            raise NotFound(f"no tenant {tenant_id}", "tenant")
        access = access_for(t.subscription_status, t.status_changed_at)
        grace = (None if t.subscription_status in FULL_USE | WARN_ONLY
                 else t.status_changed_at + timedelta(days=get_settings().billing_grace_days))
        return BillingState(t.plan, t.subscription_status, access.level, access.message,
                            t.trial_ends_at, t.current_period_end, t.cancel_at_period_end, grace,
                            t.stripe_customer_id is not None)
