"""Stripe webhooks: verify, record once, process in a dramatiq job.

:func:`receive` checks the signature with the stripe library (bad or stale → 400 and
nothing recorded) and inserts the event keyed by its id (``ON CONFLICT DO NOTHING``), so a
redelivered event is recorded once and processed once. :func:`process` (the
``process_stripe_event`` actor) applies it in one transaction with the event row locked,
and marks it processed in that same transaction. Subscription events carry the tenant id
in the subscription's metadata; an event older than the last one applied to the tenant
(Stripe does not promise order) is recorded but changes nothing.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import BigInteger, DateTime, String, Text, select
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.orm import Mapped, mapped_column

from core import db
from core.audit.context import Actor, acting
from core.billing.plans import PLANS
from core.config import get_settings
from core.errors import DomainError, InvalidInput
from core.orm import Base
from core.tenancy.models import Tenant

log = logging.getLogger("plantops.billing")
SUBSCRIPTION_EVENTS = {"customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted", "customer.subscription.paused",
                       "customer.subscription.resumed"}


class StripeEvent(Base):
    """A received Stripe event (global: see core.orm.GLOBAL_TABLES)."""

    __tablename__ = "stripe_event"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    outcome: Mapped[str | None] = mapped_column(Text)


class BadSignature(DomainError):
    """The webhook's signature is missing, wrong or stale (400)."""

    status = 400


@dataclass(frozen=True)
class Received:
    event_id: str
    duplicate: bool


def receive(payload: bytes, signature: str | None) -> Received:
    """Verify and record one webhook delivery; the caller enqueues processing when new."""
    secret = get_settings().stripe_webhook_secret
    if not secret:
        raise InvalidInput("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)", "signature")
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret)
    except stripe.SignatureVerificationError as exc:
        raise BadSignature(f"bad Stripe signature: {exc.user_message or exc}", "Stripe-Signature") from exc
    except ValueError as exc:
        raise BadSignature("the body is not a Stripe event", "body") from exc
    body = json.loads(payload)
    with db.global_session() as session:
        inserted = session.execute(
            insert(StripeEvent).values(id=event.id, type=event.type, created=int(event.created),
                                       payload=body, received_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["id"]).returning(StripeEvent.id)).first()
    return Received(event.id, inserted is None)


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _plan_of(subscription: dict[str, Any]) -> str | None:
    """Our plan code from the subscription's price: metadata ``plan`` or lookup key ``plantops_<plan>``."""
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        return None
    price = items[0].get("price") or items[0].get("plan") or {}
    code = (price.get("metadata") or {}).get("plan") or str(price.get("lookup_key") or "").removeprefix("plantops_")
    return code if code in PLANS else None


def _apply_subscription(tenant: Tenant, event_type: str, created: int, sub: dict[str, Any]) -> str:
    if tenant.billing_event_created is not None and created < tenant.billing_event_created:
        return "ignored: older than the last applied event"
    status = "canceled" if event_type == "customer.subscription.deleted" else str(sub.get("status"))
    if status != tenant.subscription_status:
        tenant.subscription_status = status
        tenant.status_changed_at = datetime.now(UTC)
    items = (sub.get("items") or {}).get("data") or [{}]
    # Since API 2025-03-31 the period sits on the item; older payloads have it on the subscription.
    tenant.current_period_end = _ts(items[0].get("current_period_end") or sub.get("current_period_end"))
    tenant.trial_ends_at = _ts(sub.get("trial_end")) or tenant.trial_ends_at
    tenant.cancel_at_period_end = bool(sub.get("cancel_at_period_end"))
    tenant.stripe_subscription_id = str(sub.get("id")) if sub.get("id") else tenant.stripe_subscription_id
    tenant.stripe_customer_id = str(sub.get("customer")) if sub.get("customer") else tenant.stripe_customer_id
    plan = _plan_of(sub)
    if plan:
        tenant.plan = plan
    tenant.billing_event_created = created
    return f"applied: status {status}"


def process(event_id: str) -> None:
    """The ``process_stripe_event`` actor: apply one recorded event exactly once."""
    with acting(Actor(None, "stripe webhook"), f"stripe-{event_id}"[:64]), db.global_session() as session:
        event = session.scalars(select(StripeEvent).where(StripeEvent.id == event_id)
                                .with_for_update()).one_or_none()
        if event is None or event.processed_at is not None:
            return
        outcome = "ignored: event type not used"
        if event.type in SUBSCRIPTION_EVENTS:
            sub = event.payload.get("data", {}).get("object", {})
            raw = (sub.get("metadata") or {}).get("tenant_id")
            try:
                tenant_id = uuid.UUID(str(raw))
            except ValueError:
                tenant_id = None
            tenant = None
            if tenant_id is not None:
                db.set_tenant(session, tenant_id)
                tenant = session.scalars(select(Tenant).where(Tenant.id == tenant_id)
                                         .with_for_update()).one_or_none()
            if tenant is None:
                outcome = "ignored: no tenant in the subscription's metadata"
            else:
                event.tenant_id = tenant.id
                outcome = _apply_subscription(tenant, event.type, event.created, sub)
        event.outcome = outcome
        event.processed_at = datetime.now(UTC)
        log.info("stripe event %s (%s): %s", event_id, event.type, outcome)
