"""The issue's "done when", in one journey: a new subscriber signs up for a plan, is billed
per plant in Stripe test mode, invites a colleague, enables the plugins the plan allows (and
is told clearly when it does not), logs in with SSO, and the owner reads who changed what."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import stripe
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import text

from tests.support import PASSWORD, TenantHandle, outbox_link, sign_up


def test_subscriber_journey(stripe_on: str, http: httpx.Client, owner_engine: Any) -> None:
    owner: TenantHandle = sign_up(http, "Journey Foods", plan="growth")
    # Billed per plant: a trialing subscription, quantity 2 after a second plant.
    assert owner.post("/api/v1/plants", json={"name": "Second site"}).status_code == 201
    with owner_engine.connect() as conn:
        sub_id = conn.execute(text("SELECT stripe_subscription_id FROM tenant WHERE id = :t"),
                              {"t": owner.tenant_id}).scalar_one()
    sub = stripe.Subscription.retrieve(sub_id)
    assert sub.status == "trialing" and sub["items"]["data"][0]["quantity"] == 2
    # A colleague is invited and joins through the mailed link.
    owner.post("/api/v1/invitations", json={"email": "colleague@journey.test", "role": "planner"})
    token = outbox_link(owner_engine, "colleague@journey.test")
    joined = http.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert joined.status_code == 200
    # Growth allows three plugins; the fourth is refused with the limit and the plan that lifts it.
    for name in ("food_fifo", "vmi", "pharma_lab"):
        assert owner.post(f"/api/v1/plugins/{name}/enable").status_code == 200
    refused = owner.post("/api/v1/plugins/construction/enable")
    assert refused.status_code == 403
    assert "Growth plan allows 3 plugins" in refused.json()["detail"] and "Enterprise" in refused.json()["detail"]
    # The colleague signs in with the company's identity provider.
    with run_server_in_thread(port=0) as server:
        issuer = f"http://localhost:{server.server_port}"
        assert owner.request("PUT", "/api/v1/sso", json={
            "issuer": issuer, "client_id": "journey", "client_secret": "journey-secret"}).status_code == 200
        with httpx.Client(base_url=str(http.base_url)) as browser:
            start = browser.get(f"/sso/{owner.tenant_id}/start")
            back = httpx.post(start.headers["location"], data={"sub": "colleague@journey.test"})
            done = browser.get(urlsplit(back.headers["location"]).path + "?" + urlsplit(back.headers["location"]).query)
            assert done.status_code == 303
            assert "colleague@journey.test" in browser.get("/").text
    # The owner reads who changed what.
    audit = owner.get("/api/v1/audit", params={"limit": 200}).json()["items"]
    seen = {(e["table"], e["action"], e["actor"] or e["user_id"]) for e in audit}
    assert ("plant", "create", owner.email) in seen
    assert ("tenant_plugin", "create", owner.email) in seen
    assert ("invitation", "create", owner.email) in seen
    assert any(t == "membership" and a == "create" for t, a, _ in seen)
