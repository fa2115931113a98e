"""The team: invitations by signed expiring link through the mail outbox, acceptance,
roles, removal, the plan's user limit, and the pages."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import text

from tests.support import PASSWORD, TenantHandle, add_member, outbox_link, sign_up


def test_invite_mail_accept_and_work_in_the_tenant(tenant: TenantHandle, owner_engine: Any) -> None:
    email = "Colleague@Example.com"
    sent = tenant.post("/api/v1/invitations", json={"email": email, "role": "planner"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["email"] == "colleague@example.com" and sent.json()["accepted_at"] is None
    token = outbox_link(owner_engine, "colleague@example.com")  # sent by the send_mail job
    preview = tenant.client.get("/api/v1/invitations/preview", params={"token": token}).json()
    assert preview == {"tenant_name": "Tenant A", "email": "colleague@example.com",
                       "role": "planner", "has_account": False}
    bad_password = tenant.client.post("/api/v1/invitations/accept", json={"token": token, "password": "short"})
    assert bad_password.status_code == 422 and bad_password.json()["field"] == "password"
    accepted = tenant.client.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    me = tenant.client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {accepted.json()['access_token']}"}).json()
    assert me["role"] == "planner" and me["tenant_id"] == str(tenant.tenant_id)
    again = tenant.client.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert again.status_code == 409  # a link works once
    members = tenant.get("/api/v1/members").json()["items"]
    assert [m["role"] for m in members] == ["owner", "planner"]
    login = tenant.client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


def test_existing_user_proves_their_password(http: httpx.Client, tenant: TenantHandle,
                                            owner_engine: Any) -> None:
    other = sign_up(http, "Other Co")
    tenant.post("/api/v1/invitations", json={"email": other.email, "role": "viewer"})
    token = outbox_link(owner_engine, other.email)
    assert http.get("/api/v1/invitations/preview", params={"token": token}).json()["has_account"] is True
    wrong = http.post("/api/v1/invitations/accept", json={"token": token, "password": "Wrong-pass-99"})
    assert wrong.status_code == 401 and wrong.json()["field"] == "password"
    right = http.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert right.status_code == 200 and right.json()["tenant_id"] == str(tenant.tenant_id)


def test_bad_expired_and_revoked_links(tenant: TenantHandle, owner_engine: Any) -> None:
    client = tenant.client
    for token in ("", "nonsense", tenant.token):  # a login token is no invitation
        answer = client.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
        assert answer.status_code == 401 and answer.json()["field"] == "token"
    inv = tenant.post("/api/v1/invitations", json={"email": "late@example.com", "role": "viewer"}).json()
    token = outbox_link(owner_engine, "late@example.com")
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE invitation SET expires_at = now() - interval '1 second' WHERE id = :i"),
                     {"i": inv["id"]})
    expired = client.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert expired.status_code == 401
    inv2 = tenant.post("/api/v1/invitations", json={"email": "gone@example.com", "role": "viewer"}).json()
    token2 = outbox_link(owner_engine, "gone@example.com")
    assert tenant.delete(f"/api/v1/invitations/{inv2['id']}").status_code == 204
    revoked = client.post("/api/v1/invitations/accept", json={"token": token2, "password": PASSWORD})
    assert revoked.status_code == 401
    states = {i["email"]: i["revoked_at"] is not None for i in tenant.get("/api/v1/invitations").json()["items"]}
    assert states == {"late@example.com": False, "gone@example.com": True}


def test_invitation_bad_input(tenant: TenantHandle) -> None:
    for body, field in (({"email": "not-an-email", "role": "viewer"}, "email"),
                        ({"email": "x@example.com", "role": "emperor"}, "role"),
                        ({"email": "x@example.com"}, "role"),
                        ({"email": tenant.email, "role": "viewer"}, "email")):
        answer = tenant.post("/api/v1/invitations", json=body)
        assert 400 <= answer.status_code < 500 and answer.json()["field"] == field, answer.text
    tenant.post("/api/v1/invitations", json={"email": "twice@example.com", "role": "viewer"})
    dup = tenant.post("/api/v1/invitations", json={"email": "twice@example.com", "role": "viewer"})
    assert dup.status_code == 409
    assert tenant.delete("/api/v1/invitations/00000000-0000-0000-0000-000000000000").status_code == 404
    assert tenant.patch(f"/api/v1/members/{tenant.user_id}", json={"role": "boss"}).json()["field"] == "role"


def test_roles_change_and_last_owner_stays(tenant: TenantHandle, owner_engine: Any) -> None:
    admin = add_member(tenant, owner_engine, "admin")
    viewer = add_member(tenant, owner_engine, "viewer")
    # An admin may not make owners nor touch the owner.
    assert admin.patch(f"/api/v1/members/{viewer.user_id}", json={"role": "owner"}).status_code == 403
    assert admin.patch(f"/api/v1/members/{tenant.user_id}", json={"role": "viewer"}).status_code == 403
    assert admin.delete(f"/api/v1/members/{tenant.user_id}").status_code == 403
    changed = admin.patch(f"/api/v1/members/{viewer.user_id}", json={"role": "storekeeper"})
    assert changed.status_code == 200 and changed.json()["role"] == "storekeeper"
    assert viewer.get("/api/v1/me").json()["role"] == "storekeeper"  # looked up per request
    last = tenant.patch(f"/api/v1/members/{tenant.user_id}", json={"role": "admin"})
    assert last.status_code == 409 and "at least one owner" in last.json()["detail"]
    assert tenant.delete(f"/api/v1/members/{tenant.user_id}").status_code == 409
    assert tenant.delete(f"/api/v1/members/{viewer.user_id}").status_code == 204
    assert viewer.get("/api/v1/me").status_code == 401  # the membership is gone
    assert tenant.delete(f"/api/v1/members/{viewer.user_id}").status_code == 404


def test_starter_plan_user_limit_counts_open_invitations(tenant: TenantHandle, owner_engine: Any) -> None:
    for n in range(4):  # owner + 4 = the Starter plan's 5 users
        assert tenant.post("/api/v1/invitations", json={"email": f"u{n}@example.com",
                                                        "role": "viewer"}).status_code == 201
    refused = tenant.post("/api/v1/invitations", json={"email": "u5@example.com", "role": "viewer"})
    assert refused.status_code == 403
    assert "Starter plan allows 5 users" in refused.json()["detail"]
    assert "Growth" in refused.json()["detail"]
    # Accepting an invitation takes the seat it held: no refusal at the door.
    token = outbox_link(owner_engine, "u0@example.com")
    assert tenant.client.post("/api/v1/invitations/accept",
                              json={"token": token, "password": PASSWORD}).status_code == 200


def test_supplier_sees_only_the_portal(tenant: TenantHandle, owner_engine: Any) -> None:
    supplier = add_member(tenant, owner_engine, "supplier")
    assert supplier.get("/api/v1/me").json()["role"] == "supplier"
    for path in ("/api/v1/items", "/api/v1/plants", "/api/v1/members"):
        answer = supplier.get(path)
        assert answer.status_code == 403 and "supplier portal" in answer.json()["detail"]


def test_team_pages_invite_and_accept(http: httpx.Client, tenant: TenantHandle, owner_engine: Any) -> None:
    with httpx.Client(base_url=str(http.base_url)) as browser:
        browser.get("/login")
        csrf = browser.cookies.get("csrftoken") or ""
        assert browser.post("/login", data={"email": tenant.email, "password": PASSWORD,
                                            "_csrf_token": csrf}).status_code == 303
        page = browser.get("/app/team")
        assert page.status_code == 200 and tenant.email in page.text
        sent = browser.post("/app/team/invite", data={"email": "page@example.com", "role": "qa",
                                                       "_csrf_token": csrf})
        assert sent.status_code == 303
        bad = browser.post("/app/team/invite", data={"email": "nope", "role": "qa", "_csrf_token": csrf})
        assert bad.status_code == 422 and "email is not a valid address" in bad.text
    token = outbox_link(owner_engine, "page@example.com")
    with httpx.Client(base_url=str(http.base_url)) as newcomer:
        page = newcomer.get("/invite", params={"token": token})
        assert page.status_code == 200 and "Tenant A" in page.text and "qa" in page.text
        csrf = newcomer.cookies.get("csrftoken") or ""
        joined = newcomer.post("/invite", data={"token": token, "password": PASSWORD, "_csrf_token": csrf})
        assert joined.status_code == 303, joined.text
        assert newcomer.get("/").status_code == 200
        assert newcomer.get("/invite", params={"token": "garbage"}).status_code == 401


def test_mail_is_sent_once(tenant: TenantHandle, owner_engine: Any) -> None:
    tenant.post("/api/v1/invitations", json={"email": "once@example.com", "role": "viewer"})
    outbox_link(owner_engine, "once@example.com")
    from core.mail.outbox import deliver

    with owner_engine.connect() as conn:
        row = conn.execute(text("SELECT tenant_id, id, attempts FROM mail_outbox "
                                "WHERE to_email = 'once@example.com'")).one()
    deliver(str(row.tenant_id), str(row.id))  # a redelivered message is a no-op
    time.sleep(0.1)
    with owner_engine.connect() as conn:
        attempts = conn.execute(text("SELECT attempts FROM mail_outbox WHERE id = :i"), {"i": row.id}).scalar()
    assert attempts == row.attempts == 1
