"""The Stripe side of billing (current Stripe API: Products, Prices, Subscriptions,
Checkout Sessions, the Billing Portal, Invoices).

Nothing here runs unless ``STRIPE_SECRET_KEY`` is set: without it (the demo) plans and
limits work locally and the subscription state stays as signup set it. Stripe calls are
made outside database transactions; their results are stored in a short one after.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import func, select

from core import db
from core.billing.plans import CURRENCY, PLANS, TRIAL_DAYS, Plan, get_plan
from core.config import get_settings
from core.errors import Conflict, InvalidInput
from core.tenancy.models import Membership, Plant, Tenant, User

log = logging.getLogger("plantops.billing")
DEFAULT_API_BASE = stripe.api_base


def configured() -> bool:
    """True when ``STRIPE_SECRET_KEY`` is set; the SDK is then pointed at it (and at
    ``STRIPE_API_BASE`` when set, e.g. a local Stripe double in tests).

    Read at each call rather than once, so that a running process (and the test suite,
    which turns Stripe on only for the billing tests) picks the key up without a restart.
    """
    key = os.environ.get("STRIPE_SECRET_KEY")
    if not key:
        return False
    stripe.api_key = key
    stripe.api_base = os.environ.get("STRIPE_API_BASE") or DEFAULT_API_BASE
    return True


def _require() -> None:
    if not configured():
        raise Conflict("Stripe is not configured on this server (STRIPE_SECRET_KEY)", "billing")


def lookup_key(plan: Plan) -> str:
    return f"plantops_{plan.code}"


@dataclass(frozen=True)
class SyncedPrice:
    plan: str
    product_id: str
    price_id: str
    created: bool


def sync_catalog() -> list[SyncedPrice]:
    """Create or update one Product and one monthly per-plant Price per plan.

    Idempotent: a product is found by its id ``plantops_<plan>``, a price by its lookup
    key; a changed amount makes a new price that takes the lookup key over (prices are
    immutable in Stripe) and the old one is archived.
    """
    _require()
    synced: list[SyncedPrice] = []
    for plan in PLANS.values():
        product_id = lookup_key(plan)
        try:
            stripe.Product.modify(product_id, name=f"plantops {plan.name}", metadata={"plan": plan.code})
        except stripe.InvalidRequestError:
            stripe.Product.create(id=product_id, name=f"plantops {plan.name}", metadata={"plan": plan.code})
        current = stripe.Price.list(lookup_keys=[lookup_key(plan)], active=True).data
        if current and current[0].unit_amount == plan.price_per_plant_cents:
            synced.append(SyncedPrice(plan.code, product_id, current[0].id, False))
            continue
        price = stripe.Price.create(
            product=product_id, unit_amount=plan.price_per_plant_cents, currency=CURRENCY,
            recurring={"interval": "month"}, lookup_key=lookup_key(plan), transfer_lookup_key=True,
            metadata={"plan": plan.code})
        for old in current:
            stripe.Price.modify(old.id, active=False)
        synced.append(SyncedPrice(plan.code, product_id, price.id, True))
    return synced


def _price_id(plan: Plan) -> str:
    found = stripe.Price.list(lookup_keys=[lookup_key(plan)], active=True).data
    if not found:
        raise Conflict(f"no Stripe price for the {plan.name} plan; run `plantops billing sync`", "plan")
    return str(found[0].id)


def _tenant_facts(tenant_id: uuid.UUID) -> tuple[Tenant, int, str]:
    with db.tenant_session(tenant_id) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.id == tenant_id)).one()
        plants = int(session.scalar(select(func.count()).select_from(Plant)
                                    .where(Plant.tenant_id == tenant_id)) or 0)
        owner = session.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                               .where(Membership.tenant_id == tenant_id, Membership.role == "owner")
                               .order_by(Membership.created_at).limit(1)) or ""
        return tenant, plants, owner


def _store(tenant_id: uuid.UUID, **values: Any) -> None:
    with db.tenant_session(tenant_id) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.id == tenant_id).with_for_update()).one()
        for name, value in values.items():
            setattr(tenant, name, value)


def start_subscription(tenant_id: uuid.UUID) -> str:
    """A Stripe customer and a trialing subscription, quantity = the tenant's plants."""
    _require()
    tenant, plants, owner = _tenant_facts(tenant_id)
    if tenant.stripe_subscription_id:
        return tenant.stripe_subscription_id
    meta = {"tenant_id": str(tenant_id)}
    customer_id = tenant.stripe_customer_id or stripe.Customer.create(
        email=owner, name=tenant.name, metadata=meta).id
    sub = stripe.Subscription.create(
        customer=customer_id, items=[{"price": _price_id(get_plan(tenant.plan)), "quantity": max(1, plants)}],
        trial_period_days=TRIAL_DAYS, metadata=meta)
    trial = sub.to_dict().get("trial_end")
    trial_end = datetime.fromtimestamp(int(trial), UTC) if trial else None
    _store(tenant_id, stripe_customer_id=customer_id, stripe_subscription_id=sub.id,
           subscription_status=sub.status, trial_ends_at=trial_end)
    return str(sub.id)


def start_subscription_quietly(tenant_id: uuid.UUID) -> None:
    """After signup: start the subscription if Stripe is configured; a failure is logged
    (the owner can start it from the billing page) rather than undoing the signup."""
    if not configured():
        return
    try:
        start_subscription(tenant_id)
    except Exception:  # any failure: the signup stands, the billing page can retry
        log.exception("could not start the subscription of %s", tenant_id)


def _item(sub_id: str) -> Any:
    return stripe.Subscription.retrieve(sub_id)["items"]["data"][0]


def sync_quantity(tenant_id: uuid.UUID) -> None:
    """Set the subscription's quantity to the number of plants, prorated."""
    if not configured():
        return
    tenant, plants, _ = _tenant_facts(tenant_id)
    if not tenant.stripe_subscription_id:
        return
    item = _item(tenant.stripe_subscription_id)
    if int(item["quantity"]) != plants:
        stripe.Subscription.modify(tenant.stripe_subscription_id,
                                   items=[{"id": item["id"], "quantity": max(1, plants)}],
                                   proration_behavior="create_prorations")


def change_plan(tenant_id: uuid.UUID, plan_code: str) -> str:
    """Move to another plan (prorated); refused when the tenant uses more than it allows."""
    plan = get_plan(plan_code)
    tenant, plants, _ = _tenant_facts(tenant_id)
    with db.tenant_session(tenant_id) as session:
        users = int(session.scalar(select(func.count()).select_from(Membership)
                                   .where(Membership.tenant_id == tenant_id)) or 0)
    for used, limit, noun in ((plants, plan.max_plants, "plants"), (users, plan.max_users, "users")):
        if limit is not None and used > limit:
            raise InvalidInput(f"the {plan.name} plan allows {limit} {noun} and you have {used}", "plan")
    if configured() and tenant.stripe_subscription_id:
        item = _item(tenant.stripe_subscription_id)
        stripe.Subscription.modify(tenant.stripe_subscription_id,
                                   items=[{"id": item["id"], "price": _price_id(plan), "quantity": max(1, plants)}],
                                   proration_behavior="create_prorations")
    _store(tenant_id, plan=plan.code)
    return plan.code


def cancel_at_period_end(tenant_id: uuid.UUID, cancel: bool = True) -> None:
    """Cancel (or undo the cancellation) at the end of the current period."""
    _require()
    tenant, _, _ = _tenant_facts(tenant_id)
    if not tenant.stripe_subscription_id:
        raise Conflict("there is no subscription to cancel", "billing")
    stripe.Subscription.modify(tenant.stripe_subscription_id, cancel_at_period_end=cancel)
    _store(tenant_id, cancel_at_period_end=cancel)


def checkout_url(tenant_id: uuid.UUID) -> str:
    """A Stripe Checkout session (setup mode) to collect payment details."""
    _require()
    tenant, _, _ = _tenant_facts(tenant_id)
    if not tenant.stripe_customer_id:
        start_subscription(tenant_id)
        tenant, _, _ = _tenant_facts(tenant_id)
    customer = tenant.stripe_customer_id
    if customer is None:
        raise Conflict("the Stripe customer could not be created", "billing")
    base = get_settings().base_url
    session = stripe.checkout.Session.create(
        mode="setup", customer=customer, currency=CURRENCY,
        success_url=f"{base}/app/billing?checkout=done", cancel_url=f"{base}/app/billing")
    return str(session.url)


def portal_url(tenant_id: uuid.UUID) -> str:
    """A Stripe Billing Portal session for the tenant's customer."""
    _require()
    tenant, _, _ = _tenant_facts(tenant_id)
    if not tenant.stripe_customer_id:
        raise Conflict("there is no Stripe customer yet; add payment details first", "billing")
    session = stripe.billing_portal.Session.create(customer=tenant.stripe_customer_id,
                                                   return_url=f"{get_settings().base_url}/app/billing")
    return str(session.url)


@dataclass(frozen=True)
class InvoiceView:
    id: str
    number: str | None
    status: str | None
    total_cents: int
    currency: str
    created: datetime
    hosted_url: str | None


def list_invoices(tenant_id: uuid.UUID) -> list[InvoiceView]:
    """The customer's invoices from Stripe, newest first (empty without a customer)."""
    if not configured():
        return []
    tenant, _, _ = _tenant_facts(tenant_id)
    if not tenant.stripe_customer_id:
        return []
    found = [i.to_dict() for i in stripe.Invoice.list(customer=tenant.stripe_customer_id, limit=24).data]
    return sorted((InvoiceView(str(i["id"]), i.get("number"), i.get("status"), int(i.get("total") or 0),
                               str(i.get("currency") or CURRENCY),
                               datetime.fromtimestamp(int(i["created"]), UTC), i.get("hosted_invoice_url"))
                   for i in found), key=lambda v: v.created, reverse=True)
