"""Billing in Stripe test mode, against localstripe with the real stripe SDK: catalog sync,
a trialing per-plant subscription at signup, quantity on plant add (prorated), plan change,
cancel at period end, Checkout and Billing Portal links, invoices."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import text

from core.billing.plans import PLANS
from core.cli import main
from tests.support import LiveServer, TenantHandle, add_member, sign_up


def _subscription(owner_engine: Any, tenant: TenantHandle) -> Any:
    with owner_engine.connect() as conn:
        sub_id = conn.execute(text("SELECT stripe_subscription_id FROM tenant WHERE id = :t"),
                              {"t": tenant.tenant_id}).scalar_one()
    assert sub_id, "signup started no subscription"
    return stripe.Subscription.retrieve(sub_id)


def test_billing_sync_creates_then_keeps_products_and_prices(stripe_on: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["billing", "sync"]) == 0
    out = capsys.readouterr().out
    assert "starter" in out and "(new)" not in out  # the fixture synced already: idempotent
    for plan in PLANS.values():
        prices = stripe.Price.list(lookup_keys=[f"plantops_{plan.code}"], active=True).data
        assert len(prices) == 1
        assert prices[0].unit_amount == plan.price_per_plant_cents
        assert prices[0].to_dict()["recurring"]["interval"] == "month"
        assert stripe.Product.retrieve(f"plantops_{plan.code}").name == f"plantops {plan.name}"


def test_signup_starts_a_trialing_subscription_per_plant(stripe_on: str, http: httpx.Client,
                                                        owner_engine: Any) -> None:
    tenant = sign_up(http, plan="growth")
    sub = _subscription(owner_engine, tenant)
    assert sub.status == "trialing" and sub.metadata["tenant_id"] == str(tenant.tenant_id)
    assert abs(int(sub.trial_end) - (time.time() + 14 * 86400)) < 120
    item = sub["items"]["data"][0]
    assert item["quantity"] == 1 and item["price"]["lookup_key"] == "plantops_growth"
    state = tenant.get("/api/v1/billing").json()
    assert state["status"] == "trialing" and state["has_payment_account"] is True
    # A second plant: billed per plant, the quantity follows.
    assert tenant.post("/api/v1/plants", json={"name": "Second plant"}).status_code == 201
    assert _subscription(owner_engine, tenant)["items"]["data"][0]["quantity"] == 2
    # Removing it brings the quantity back down.
    second = [p for p in tenant.get("/api/v1/plants").json()["items"] if p["name"] == "Second plant"][0]
    assert tenant.delete(f"/api/v1/plants/{second['id']}").status_code == 204
    assert _subscription(owner_engine, tenant)["items"]["data"][0]["quantity"] == 1


def test_plan_change_and_cancel(stripe_on: str, http: httpx.Client, owner_engine: Any) -> None:
    tenant = sign_up(http, plan="growth")
    tenant.post("/api/v1/plants", json={"name": "Plant two"})
    too_small = tenant.post("/api/v1/billing/plan", json={"plan": "starter"})
    assert too_small.status_code == 422 and "allows 1 plants and you have 2" in too_small.json()["detail"]
    assert tenant.post("/api/v1/billing/plan", json={"plan": "gold"}).json()["field"] == "plan"
    moved = tenant.post("/api/v1/billing/plan", json={"plan": "enterprise"})
    assert moved.status_code == 200 and moved.json()["plan"] == "enterprise"
    item = _subscription(owner_engine, tenant)["items"]["data"][0]
    assert item["price"]["lookup_key"] == "plantops_enterprise" and item["quantity"] == 2
    cancelled = tenant.post("/api/v1/billing/cancel", json={"cancel": True})
    assert cancelled.status_code == 200 and cancelled.json()["cancel_at_period_end"] is True
    assert _subscription(owner_engine, tenant).cancel_at_period_end is True


def test_checkout_portal_and_invoices(stripe_on: str, http: httpx.Client, owner_engine: Any) -> None:
    tenant = sign_up(http)
    checkout = tenant.post("/api/v1/billing/checkout")
    assert checkout.status_code == 200 and checkout.json()["url"].startswith(stripe_on)
    session_id = checkout.json()["url"].rsplit("/", 1)[1]
    session = stripe.checkout.Session.retrieve(session_id)
    assert session.mode == "setup" and session.customer
    portal = tenant.post("/api/v1/billing/portal")
    assert portal.status_code == 200 and "/billing_portal/" in portal.json()["url"]
    invoices = tenant.get("/api/v1/billing/invoices")
    assert invoices.status_code == 200 and isinstance(invoices.json()["items"], list)
    admin = add_member(tenant, owner_engine, "admin")
    assert admin.post("/api/v1/billing/checkout").status_code == 403


def test_without_stripe_billing_links_say_so(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/billing/checkout")
    assert answer.status_code == 409 and "STRIPE_SECRET_KEY" in answer.json()["detail"]
    assert tenant.get("/api/v1/billing/invoices").json()["items"] == []


def test_billing_page_links_to_stripe(stripe_on: str, http: httpx.Client) -> None:
    from tests.support import PASSWORD

    tenant = sign_up(http)
    with httpx.Client(base_url=str(http.base_url)) as browser:
        browser.get("/login")
        csrf = browser.cookies.get("csrftoken") or ""
        browser.post("/login", data={"email": tenant.email, "password": PASSWORD, "_csrf_token": csrf})
        page = browser.get("/app/billing")
        assert page.status_code == 200 and "Add payment details" in page.text and "No invoices yet" in page.text
        checkout = browser.post("/app/billing/checkout", data={"_csrf_token": csrf})
        assert checkout.status_code == 303 and checkout.headers["location"].startswith(stripe_on + "/checkout/")
        portal = browser.post("/app/billing/portal", data={"_csrf_token": csrf})
        assert portal.status_code == 303 and "/billing_portal/" in portal.headers["location"]
        assert browser.post("/app/billing/nothing", data={"_csrf_token": csrf}).status_code == 404


def test_webhooks_sent_by_the_stripe_double_are_applied(stripe_on: str, http: httpx.Client,
                                                        live_server: LiveServer, owner_engine: Any) -> None:
    """localstripe itself signs and posts customer.subscription.created to our endpoint."""
    import os

    hook = f"{stripe_on}/_config/webhooks/plantops"
    secret = os.environ["STRIPE_WEBHOOK_SECRET"]
    url = f"{live_server.url}/api/v1/billing/stripe/webhook"
    assert httpx.post(hook, json={"url": url, "secret": secret,
                                  "events": ["customer.subscription.created"]}).status_code == 200
    try:
        tenant = sign_up(http)
        deadline = time.monotonic() + 30
        row = None
        while time.monotonic() < deadline:
            with owner_engine.connect() as conn:
                row = conn.execute(text(
                    "SELECT type, outcome, processed_at FROM stripe_event WHERE tenant_id = :t"),
                    {"t": tenant.tenant_id}).first()
            if row is not None and row.processed_at is not None:
                break
            time.sleep(0.2)
        assert row is not None and row.type == "customer.subscription.created"
        assert row.outcome == "applied: status trialing"
        assert tenant.get("/api/v1/billing").json()["status"] == "trialing"
    finally:
        # Stop deliveries before the next test: an event type that never occurs.
        httpx.post(hook, json={"url": url, "secret": secret, "events": ["plantops.none"]})
