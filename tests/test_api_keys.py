"""API keys: shown once, stored hashed, scoped read/write, revocable, last-used time,
accepted as ``Authorization: Bearer pk_…`` or ``X-API-Key``."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
from sqlalchemy import text

from tests.support import TenantHandle, add_member


def _key(tenant: TenantHandle, scope: str, name: str = "ERP sync") -> dict[str, Any]:
    made = tenant.post("/api/v1/api-keys", json={"name": name, "scope": scope})
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def test_key_is_shown_once_and_stored_hashed(tenant: TenantHandle, owner_engine: Any) -> None:
    made = _key(tenant, "read")
    key = made["key"]
    assert key.startswith(f"pk_{tenant.tenant_id.hex}_") and made["prefix"] == key[-48:][:8]
    listed = tenant.get("/api/v1/api-keys").json()["items"]
    assert len(listed) == 1 and "key" not in listed[0] and key not in str(listed)
    with owner_engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM api_key")).mappings().one()
    assert key not in str(dict(stored))
    assert stored["secret_hash"] == hashlib.sha256(key[-48:].encode()).hexdigest()


def test_read_key_reads_and_may_not_write(http: httpx.Client, tenant: TenantHandle) -> None:
    tenant.post("/api/v1/items", json={"sku": "K-1", "name": "Keyed"})
    key = _key(tenant, "read")["key"]
    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        answer = http.get("/api/v1/items", headers=headers)
        assert answer.status_code == 200 and answer.json()["total"] == 1
    refused = http.post("/api/v1/items", headers={"X-API-Key": key}, json={"sku": "K-2", "name": "No"})
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    me = http.get("/api/v1/me", headers={"X-API-Key": key}).json()
    assert me["role"] == "viewer" and me["email"].startswith("api-key ")


def test_write_key_changes_the_catalog_but_not_the_tenant(http: httpx.Client, tenant: TenantHandle) -> None:
    key = _key(tenant, "write")["key"]
    headers = {"X-API-Key": key}
    made = http.post("/api/v1/items", headers=headers, json={"sku": "K-W", "name": "By key"})
    assert made.status_code == 201
    for method, path in (("GET", "/api/v1/api-keys"), ("POST", "/api/v1/plugins/vmi/enable"),
                         ("GET", "/api/v1/audit"), ("GET", "/api/v1/invitations")):
        assert http.request(method, path, headers=headers).status_code == 403, path
    entry = tenant.get("/api/v1/audit", params={"table": "item"}).json()["items"][0]
    assert entry["actor"].startswith("api-key ") and entry["user_id"] == str(tenant.user_id)


def test_revoked_and_forged_keys_fail(http: httpx.Client, tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    made = _key(tenant, "read")
    key = made["key"]
    assert tenant.delete(f"/api/v1/api-keys/{made['id']}").status_code == 204
    assert http.get("/api/v1/items", headers={"X-API-Key": key}).status_code == 401
    assert tenant.get("/api/v1/api-keys").json()["items"][0]["revoked_at"] is not None
    live = _key(tenant, "read")["key"]
    forged = [f"pk_{other_tenant.tenant_id.hex}_{live[-48:]}",  # right secret, wrong tenant
              live[:-1] + ("0" if live[-1] != "0" else "1"), "pk_nonsense", "pk_"]
    for bad in forged:
        answer = http.get("/api/v1/items", headers={"X-API-Key": bad})
        assert answer.status_code == 401 and "API key" in answer.json()["detail"]
    assert tenant.delete(f"/api/v1/api-keys/{made['id']}").status_code == 204  # idempotent
    assert other_tenant.delete(f"/api/v1/api-keys/{made['id']}").status_code == 404


def test_last_used_time(http: httpx.Client, tenant: TenantHandle) -> None:
    made = _key(tenant, "read")
    assert made["last_used_at"] is None
    http.get("/api/v1/plants", headers={"X-API-Key": made["key"]})
    used = tenant.get("/api/v1/api-keys").json()["items"][0]["last_used_at"]
    assert used is not None
    # Refreshing last_used_at is no business change: nothing in the audit log.
    updates = tenant.get("/api/v1/audit", params={"table": "api_key", "action": "update"}).json()
    assert updates["total"] == 0
    created = tenant.get("/api/v1/audit", params={"table": "api_key"}).json()["items"][0]
    assert created["after"]["secret_hash"] == "[redacted]"


def test_bad_input_and_roles(tenant: TenantHandle, owner_engine: Any) -> None:
    for body, field in (({"name": "", "scope": "read"}, "name"), ({"name": "x", "scope": "admin"}, "scope"),
                        ({"scope": "read"}, "name"), ({"name": "x" * 101}, "name")):
        answer = tenant.post("/api/v1/api-keys", json=body)
        assert answer.status_code in (400, 422) and answer.json()["field"] == field, answer.text
    planner = add_member(tenant, owner_engine, "planner")
    assert planner.post("/api/v1/api-keys", json={"name": "mine", "scope": "write"}).status_code == 403
