"""Stripe webhooks at /api/v1/billing/stripe/webhook: signed events (stripe library's own
signing) are recorded once and processed by the dramatiq job; bad or stale signatures
are 400 with nothing recorded; out-of-order and repeated events are safe; the status
drives the tenant: banner for past_due, read-only (402) after the grace period."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import httpx
import stripe
from sqlalchemy import text

from tests.support import PASSWORD, TenantHandle, add_member

SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
HOOK = "/api/v1/billing/stripe/webhook"


def subscription_event(tenant: TenantHandle, status: str, created: int, kind: str = "updated",
                       event_id: str | None = None, plan: str = "starter") -> dict[str, Any]:
    """A subscription event as Stripe sends it (API 2026: the period sits on the item)."""
    now = int(time.time())
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": f"customer.subscription.{kind}",
        "created": created, "api_version": "2026-10-28.endive", "livemode": False,
        "data": {"object": {
            "id": "sub_test123", "object": "subscription", "customer": "cus_test123", "status": status,
            "cancel_at_period_end": False, "trial_end": None,
            "metadata": {"tenant_id": str(tenant.tenant_id)},
            "items": {"object": "list", "data": [{
                "id": "si_test", "object": "subscription_item", "quantity": 1,
                "current_period_start": now, "current_period_end": now + 30 * 86400,
                "price": {"id": "price_x", "object": "price", "lookup_key": f"plantops_{plan}",
                          "metadata": {"plan": plan}}}]},
        }},
    }


def post_event(http: httpx.Client, event: dict[str, Any], secret: str = SECRET,
               timestamp: int | None = None) -> httpx.Response:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return http.post(HOOK, content=payload.encode(), headers={"Stripe-Signature": header,
                                                              "content-type": "application/json"})


def wait_processed(owner_engine: Any, event_id: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with owner_engine.connect() as conn:
            row = conn.execute(text("SELECT processed_at, outcome FROM stripe_event WHERE id = :i"),
                               {"i": event_id}).first()
        if row is not None and row.processed_at is not None:
            return str(row.outcome)
        time.sleep(0.1)
    raise AssertionError(f"event {event_id} was not processed")


def _events(owner_engine: Any) -> int:
    with owner_engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM stripe_event")).scalar_one())


def test_bad_and_stale_signatures_are_400_and_record_nothing(http: httpx.Client, tenant: TenantHandle,
                                                             owner_engine: Any) -> None:
    event = subscription_event(tenant, "canceled", int(time.time()))
    assert post_event(http, event, secret="whsec_wrong").status_code == 400
    stale = post_event(http, event, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 400 and stale.json()["field"] == "Stripe-Signature"
    unsigned = http.post(HOOK, content=json.dumps(event).encode())
    assert unsigned.status_code == 400
    tampered = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(tampered, SECRET)
    answer = http.post(HOOK, content=tampered.replace("canceled", "active").encode(),
                       headers={"Stripe-Signature": header})
    assert answer.status_code == 400
    assert _events(owner_engine) == 0
    assert tenant.get("/api/v1/billing").json()["status"] == "trialing"


def test_event_processed_once_in_a_job(http: httpx.Client, tenant: TenantHandle, owner_engine: Any) -> None:
    event = subscription_event(tenant, "active", int(time.time()), plan="growth")
    first = post_event(http, event)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    assert wait_processed(owner_engine, event["id"]) == "applied: status active"
    again = post_event(http, event)  # Stripe redelivers
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert _events(owner_engine) == 1
    state = tenant.get("/api/v1/billing").json()
    assert state["status"] == "active" and state["access"] == "full" and state["plan"] == "growth"
    assert state["current_period_end"] is not None
    changes = tenant.get("/api/v1/audit", params={"table": "tenant", "action": "update"}).json()["items"]
    assert len(changes) == 1 and changes[0]["actor"] == "stripe webhook"
    assert changes[0]["before"]["subscription_status"] == "trialing"


def test_out_of_order_events_do_not_roll_back(http: httpx.Client, tenant: TenantHandle,
                                              owner_engine: Any) -> None:
    now = int(time.time())
    newer = subscription_event(tenant, "active", now)
    older = subscription_event(tenant, "past_due", now - 60)
    post_event(http, newer)
    wait_processed(owner_engine, newer["id"])
    post_event(http, older)
    assert wait_processed(owner_engine, older["id"]).startswith("ignored: older")
    assert tenant.get("/api/v1/billing").json()["status"] == "active"


def test_events_for_no_tenant_are_recorded_and_ignored(http: httpx.Client, tenant: TenantHandle,
                                                       owner_engine: Any) -> None:
    event = subscription_event(tenant, "canceled", int(time.time()))
    event["data"]["object"]["metadata"] = {"tenant_id": str(uuid.uuid4())}
    post_event(http, event)
    assert wait_processed(owner_engine, event["id"]).startswith("ignored: no tenant")
    other = {"id": "evt_other", "object": "event", "type": "charge.succeeded", "created": int(time.time()),
             "data": {"object": {"id": "ch_1", "object": "charge"}}}
    post_event(http, other)
    assert wait_processed(owner_engine, "evt_other").startswith("ignored: event type")
    assert tenant.get("/api/v1/billing").json()["status"] == "trialing"


def test_past_due_shows_a_banner_and_keeps_full_use(http: httpx.Client, tenant: TenantHandle,
                                                    owner_engine: Any) -> None:
    event = subscription_event(tenant, "past_due", int(time.time()))
    post_event(http, event)
    wait_processed(owner_engine, event["id"])
    assert tenant.get("/api/v1/billing").json()["access"] == "warning"
    assert tenant.post("/api/v1/items", json={"sku": "PD-1", "name": "Still works"}).status_code == 201
    with httpx.Client(base_url=str(http.base_url)) as browser:
        browser.get("/login")
        browser.post("/login", data={"email": tenant.email, "password": PASSWORD,
                                     "_csrf_token": browser.cookies.get("csrftoken") or ""})
        page = browser.get("/")
        assert 'id="billing-banner"' in page.text and "payment failed" in page.text
        assert "/app/billing" in page.text


def test_unpaid_after_grace_is_read_only_with_402(http: httpx.Client, tenant: TenantHandle,
                                                  owner_engine: Any) -> None:
    planner = add_member(tenant, owner_engine, "planner")
    key = tenant.post("/api/v1/api-keys", json={"name": "erp", "scope": "write"}).json()["key"]
    event = subscription_event(tenant, "unpaid", int(time.time()))
    post_event(http, event)
    wait_processed(owner_engine, event["id"])
    state = tenant.get("/api/v1/billing").json()
    assert state["access"] == "warning" and state["grace_ends_at"]  # within the grace period
    assert tenant.post("/api/v1/items", json={"sku": "G-1", "name": "In grace"}).status_code == 201
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE tenant SET status_changed_at = now() - interval '8 days' WHERE id = :t"),
                     {"t": tenant.tenant_id})
    for who, headers in ((tenant, {}), (planner, {}), (tenant, {"X-API-Key": key})):
        refused = who.post("/api/v1/items", json={"sku": "RO-1", "name": "No"}, headers=headers)
        assert refused.status_code == 402, refused.text
        detail = refused.json()["detail"]
        assert "read-only" in detail and "unpaid" in detail and "/app/billing" in detail
    assert tenant.get("/api/v1/items").status_code == 200  # reading goes on
    assert tenant.get("/api/v1/billing").json()["access"] == "read_only"
    assert tenant.delete("/api/v1/items/G-1").status_code == 402
    # Paying (Stripe says active again) restores full use at once.
    paid = subscription_event(tenant, "active", int(time.time()) + 1)
    post_event(http, paid)
    wait_processed(owner_engine, paid["id"])
    assert tenant.post("/api/v1/items", json={"sku": "RO-2", "name": "Back"}).status_code == 201


def test_billing_page_and_roles(http: httpx.Client, tenant: TenantHandle, owner_engine: Any) -> None:
    admin = add_member(tenant, owner_engine, "admin")
    assert admin.get("/api/v1/billing").status_code == 403
    state = tenant.get("/api/v1/billing").json()
    assert state["status"] == "trialing" and state["plan"] == "starter" and state["trial_ends_at"]
    with httpx.Client(base_url=str(http.base_url)) as browser:
        browser.get("/login")
        browser.post("/login", data={"email": tenant.email, "password": PASSWORD,
                                     "_csrf_token": browser.cookies.get("csrftoken") or ""})
        page = browser.get("/app/billing")
        assert page.status_code == 200 and "Trial ends" in page.text and "Growth" in page.text
