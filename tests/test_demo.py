"""`make demo` seeds a tenant whose every page has something true to show."""

from __future__ import annotations

import httpx

from core.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_tenant, ensure_demo_tenants
from tests.support import wait_for_job


def test_demo_tenant_is_created_once_and_can_log_in(http: httpx.Client) -> None:
    first = ensure_demo_tenant()
    assert first.created and ensure_demo_tenant().created is False
    token = http.post("/api/v1/auth/token", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert http.get("/api/v1/me", headers=headers).json()["tenant_name"] == "Demo Plant"
    assert http.get("/api/v1/items", headers=headers).json()["total"] == 7
    serials = http.get("/api/v1/serials", headers=headers, params={"sku": "SANDER-01"})
    assert serials.status_code == 200 and serials.text.count("SND-240") == 3, serials.text
    stock = http.get("/api/v1/stock", headers=headers, params={"sku": "OAK-BOARD"})
    assert stock.status_code == 200 and "120" in stock.text
    runs = http.get("/api/v1/mrp/runs", headers=headers).json()["items"]
    assert len(runs) == 1 and runs[0]["job_id"]

    class Handle:
        def get(self, path: str) -> httpx.Response:
            return http.get(path, headers=headers)

    job = wait_for_job(Handle(), runs[0]["job_id"])  # type: ignore[arg-type]
    assert job["status"] == "succeeded", job
    orders = http.get(f"/api/v1/mrp/runs/{runs[0]['id']}/planned-orders", headers=headers).json()
    assert orders["total"] > 0


def test_make_demo_seeds_a_tenant_per_industry_plugin(http: httpx.Client) -> None:
    logins = {login.tenant: login for login in ensure_demo_tenants()}
    assert set(logins) == {"Demo Plant", "Demo Food", "Demo Lab"}
    assert all(login.created for login in logins.values())
    for tenant, plugin in (("Demo Food", "food_fifo"), ("Demo Lab", "pharma_lab")):
        token = http.post("/api/v1/auth/token", json={"email": logins[tenant].email,
                                                      "password": DEMO_PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        enabled = {p["name"] for p in http.get("/api/v1/plugins", headers=headers).json()["items"] if p["enabled"]}
        assert enabled == {plugin}
        assert http.get("/api/v1/items", headers=headers).json()["total"] > 0
        assert http.get("/api/v1/alerts", headers=headers).json()["items"]  # the demo shows something to act on
    assert not any(login.created for login in ensure_demo_tenants())  # a second `make demo` creates nothing
