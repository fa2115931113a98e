"""The audit log: every ORM create, update and delete of tenant data, with who, when,
before and after and the request id; read through GET /api/v1/audit and /app/audit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from tests.support import PASSWORD, TenantHandle, add_member, wait_for_job


def _entries(tenant: TenantHandle, **params: Any) -> list[dict[str, Any]]:
    answer = tenant.get("/api/v1/audit", params=params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_item_create_update_delete_are_logged(tenant: TenantHandle) -> None:
    created = tenant.post("/api/v1/items", json={"sku": "AUD-1", "name": "Audited"},
                          headers={"X-Request-ID": "req-create-1"})
    assert created.headers["x-request-id"] == "req-create-1"
    item_id = created.json()["id"]
    changed = tenant.patch(f"/api/v1/items/{item_id}", json={"name": "Audited twice"})
    assert len(changed.headers["x-request-id"]) == 32  # made up when the caller sent none
    assert tenant.delete(f"/api/v1/items/{item_id}").status_code == 204
    log = _entries(tenant, table="item", row=item_id)
    assert [e["action"] for e in log] == ["delete", "update", "create"]
    delete, update, create = log
    assert create["before"] is None and create["after"]["name"] == "Audited"
    assert create["request_id"] == "req-create-1"
    assert update["before"]["name"] == "Audited" and update["after"]["name"] == "Audited twice"
    assert update["request_id"] == changed.headers["x-request-id"]
    assert delete["before"]["sku"] == "AUD-1" and delete["after"] is None
    assert {e["user_id"] for e in log} == {str(tenant.user_id)}
    assert {e["actor"] for e in log} == {tenant.email}
    assert str(tenant.tenant_id) not in str([e["row_key"] for e in log])


def test_signup_team_and_plugins_are_logged(tenant: TenantHandle, owner_engine: Any) -> None:
    tenant.post("/api/v1/plugins/vmi/enable")
    tenant.post("/api/v1/plugins/vmi/disable")
    member = add_member(tenant, owner_engine, "viewer")
    tenant.patch(f"/api/v1/members/{member.user_id}", json={"role": "planner"})
    tables = {(e["table"], e["action"]) for e in _entries(tenant, limit=200)}
    assert {("tenant", "create"), ("plant", "create"), ("membership", "create"),
            ("tenant_plugin", "create"), ("tenant_plugin", "delete"), ("invitation", "create"),
            ("invitation", "update"), ("membership", "update")} <= tables
    role_change = _entries(tenant, table="membership", action="update")[0]
    assert (role_change["before"]["role"], role_change["after"]["role"]) == ("viewer", "planner")
    assert role_change["user_id"] == str(tenant.user_id)
    joined = _entries(tenant, table="membership", action="create", row=str(member.user_id))[0]
    assert joined["user_id"] == str(member.user_id)  # the newcomer accepted it themselves
    assert all("password" not in str(e["after"]) for e in _entries(tenant, limit=200))
    # Operational tables stay out of the log.
    assert not {t for t, _ in tables} & {"job", "mail_outbox", "audit_log"}


def test_background_job_changes_are_logged_as_their_creator(tenant: TenantHandle) -> None:
    rows = "".join(f"JOB-{n},Job item {n}\n" for n in range(60))
    queued = tenant.post("/api/v1/items/import", content=("sku,name\n" + rows).encode(),
                         headers={"content-type": "text/csv"})
    job_id = queued.json()["job_id"]
    assert wait_for_job(tenant, job_id)["status"] == "succeeded"
    made = _entries(tenant, table="item", action="create", limit=100)
    assert len(made) == 60
    assert {e["user_id"] for e in made} == {str(tenant.user_id)}
    assert {e["request_id"] for e in made} == {"job-" + job_id.replace("-", "")}


def test_filters_paging_and_bad_input(tenant: TenantHandle) -> None:
    for n in range(5):
        tenant.post("/api/v1/items", json={"sku": f"PG-{n}", "name": f"Paged {n}"})
    page = tenant.get("/api/v1/audit", params={"table": "item", "limit": 2, "offset": 1}).json()
    assert page["total"] == 5 and page["limit"] == 2 and len(page["items"]) == 2
    assert page["items"][0]["after"]["sku"] == "PG-3"
    assert _entries(tenant, action="delete") == []
    assert _entries(tenant, user_id="00000000-0000-0000-0000-000000000000") == []
    assert _entries(tenant, since="2999-01-01T00:00:00Z") == []
    for params, field in (({"action": "explode"}, "action"), ({"limit": 0}, "limit"),
                          ({"limit": 1000}, "limit"), ({"offset": -1}, "offset"),
                          ({"user_id": "bob"}, "user_id"), ({"since": "yesterday"}, "since")):
        answer = tenant.get("/api/v1/audit", params=params)
        assert answer.status_code in (400, 422) and answer.json().get("field") == field, answer.text


def test_only_owner_and_admin_read_it(tenant: TenantHandle, owner_engine: Any) -> None:
    planner = add_member(tenant, owner_engine, "planner")
    assert planner.get("/api/v1/audit").status_code == 403
    admin = add_member(tenant, owner_engine, "admin")
    assert admin.get("/api/v1/audit").status_code == 200


def test_the_app_cannot_rewrite_history(tenant: TenantHandle, services: dict[str, str]) -> None:
    app = create_engine(services["app_url"])
    with app.connect() as conn:
        conn.execute(text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.tenant_id)})
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() > 0
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM audit_log"))
    app.dispose()


def test_audit_page(http: httpx.Client, tenant: TenantHandle) -> None:
    tenant.post("/api/v1/items", json={"sku": "PAGE-AUD", "name": "Seen on the page"})
    with httpx.Client(base_url=str(http.base_url)) as browser:
        browser.get("/login")
        browser.post("/login", data={"email": tenant.email, "password": PASSWORD,
                                     "_csrf_token": browser.cookies.get("csrftoken") or ""})
        page = browser.get("/app/audit", params={"table": "item"})
        assert page.status_code == 200 and "PAGE-AUD" in page.text and tenant.email in page.text
        assert browser.get("/app/audit", params={"action": "nope"}).status_code == 422
