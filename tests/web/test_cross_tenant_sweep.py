"""The cross-tenant sweep: every API route, read from the OpenAPI document, called with
tenant B's token on tenant A's ids. Expect 403/404, never A's data.

A route with a path parameter the sweep does not know fails this test: whoever adds the
route adds its parameter to ``path_values`` below, so no route goes unchecked.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support import TenantHandle, sign_up, wait_for_job

PUBLIC = {"/api/v1/signup", "/api/v1/auth/token", "/api/v1/invitations/preview",
          "/api/v1/invitations/accept", "/api/v1/billing/stripe/webhook"}
#: Path parameters that do not name tenant data (B may use them on its own tenant).
NOT_TENANT_DATA = {"name"}
#: Both tenants enable these, so their routes are swept past the plugin guard.
INDUSTRY_PLUGINS = ("food_fifo", "pharma_lab")


@pytest.fixture
def tenant_a_data(http: httpx.Client) -> dict[str, Any]:
    """Tenant A with one of everything, and the values that must never reach B."""
    a = sign_up(http, "Alpha Secret Works", plan="enterprise")
    item = a.post("/api/v1/items", json={"sku": "A-SECRET-SKU", "name": "Alpha secret part",
                                         "tracking": "lot"}).json()
    wh = a.post("/api/v1/locations", json={"code": "ASECRETWH", "name": "Alpha wh", "kind": "warehouse"}).json()
    rows = "".join(f"A-BULK-{n},Alpha bulk {n}\n" for n in range(60))
    queued = a.post("/api/v1/items/import", content=("sku,name\n" + rows).encode(),
                    headers={"content-type": "text/csv"})
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]
    wait_for_job(a, job_id)
    moved = a.post("/api/v1/stock-moves", json={
        "kind": "receipt", "sku": item["sku"], "quantity": "5", "to_location": wh["id"],
        "lot": "ASECRETLOT", "idempotency_key": "a-secret-key"}).json()
    held = a.post("/api/v1/reservations", json={"sku": item["sku"], "location": wh["id"], "quantity": "1"}).json()
    # Enabled after the receipt: with pharma_lab a new lot would wait in quarantine.
    for plugin in ("vmi", *INDUSTRY_PLUGINS):
        assert a.post(f"/api/v1/plugins/{plugin}/enable").status_code == 200
    lab = _pharma_data(a, item["sku"], wh["id"])
    # A count with a line on A's stock (counted), so its views carry A's item and lot.
    count = a.post("/api/v1/counts", json={"location": wh["id"], "note": "Alpha secret count"}).json()
    a.post(f"/api/v1/counts/{count['id']}/lines",
           json={"lines": [{"line_id": count["lines"][0]["id"], "counted": "4"}]})
    planning = _planning_data(a, item["sku"])
    batch = _food_batch(a, item["sku"], wh["id"])
    invitation = a.post("/api/v1/invitations", json={"email": "alpha-secret-invitee@example.com",
                                                     "role": "viewer"}).json()
    key = a.post("/api/v1/api-keys", json={"name": "Alpha secret integration", "scope": "write"}).json()
    return {
        "tenant": a,
        "path_values": {
            "ref": [item["id"], item["sku"]],
            "location_id": [wh["id"]],
            "plant_id": [str(a.plant_id)],
            "job_id": [job_id],
            "count_id": [count["id"]],
            "move_id": [moved["id"]],
            "reservation_id": [held["id"]],
            "code": ["ASECRETLOT", moved["lot_id"]],
            "name": ["vmi"],
            "demand_id": [planning["demand_id"]],
            "forecast_id": [planning["forecast_id"]],
            "run_id": [planning["run_id"]],
            "order_id": [planning["order_id"]],
            "user_id": [str(a.user_id)],
            "invitation_id": [invitation["id"]],
            "key_id": [key["id"]],
            "method_id": [lab["method_id"]],
            "assay_run_id": [lab["assay_run_id"]],
            "number": [batch],
        },
        "query_values": {"sku": item["sku"], "location": wh["id"], "plant_id": str(a.plant_id),
                         "parent_id": wh["id"], "item": item["sku"], "lot": "ASECRETLOT"},
        "secrets": [item["id"], "A-SECRET-SKU", "Alpha secret part", wh["id"], "ASECRETWH",
                    str(a.tenant_id), str(a.plant_id), job_id, "Alpha Secret Works", "A-BULK-1",
                    count["id"], "Alpha secret count", moved["id"], held["id"], "ASECRETLOT",
                    "a-secret-key", "A-SECRET-SO", "Alpha customer", *planning.values(),
                    str(a.user_id), a.email, invitation["id"], "alpha-secret-invitee",
                    key["id"], key["key"], key["prefix"], "Alpha secret integration", *lab.values(),
                    "Alpha secret assay", "Alpha secret certificate", batch, "A-SECRET-FG"],
    }


def _pharma_data(a: TenantHandle, sku: str, location: str) -> dict[str, str]:
    """A reagent profile, a certificate on A's lot, an assay method and a scheduled run."""
    profile = a.request("PUT", f"/api/v1/pharma/reagents/{sku}", json={"storage_condition": "ambient"})
    certificate = a.post("/api/v1/pharma/lots/ASECRETLOT/coa",
                         files={"file": ("alpha.txt", b"Alpha secret certificate", "text/plain")})
    method = a.post("/api/v1/pharma/assay-methods", json={"name": "Alpha secret assay",
                                                          "reagents": [{"sku": sku, "quantity": "1"}]})
    run = a.post("/api/v1/pharma/assay-runs", json={"method": "Alpha secret assay", "location": location,
                                                    "scheduled_on": "2099-01-01"})
    assert profile.status_code == 200 and certificate.status_code == 201, certificate.text
    assert method.status_code == 201 and run.status_code == 201, run.text
    return {"method_id": method.json()["id"], "assay_run_id": run.json()["id"]}


def _planning_data(a: TenantHandle, sku: str) -> dict[str, str]:
    """A sales order, a forecast and a finished MRP run with a planned order."""
    from tests.planning_app.support import in_period, monday

    demand = a.post("/api/v1/demands", json={"number": "A-SECRET-SO", "customer": "Alpha customer",
                                            "lines": [{"sku": sku, "quantity": 7, "due_date": in_period(3)}]})
    forecast = a.request("PUT", "/api/v1/forecasts", json={
        "entries": [{"sku": sku, "period_start": monday(2).isoformat(), "quantity": 5}]})
    run = a.post("/api/v1/mrp/runs", json={})
    assert demand.status_code == 201 and forecast.status_code == 200 and run.status_code == 202
    wait_for_job(a, run.json()["job_id"])
    orders = a.get(f"/api/v1/mrp/runs/{run.json()['run_id']}/planned-orders").json()["items"]
    assert orders, "tenant A's run planned nothing"
    return {"demand_id": demand.json()["id"], "forecast_id": forecast.json()["items"][0]["id"],
            "run_id": run.json()["run_id"], "order_id": orders[0]["id"]}


def _food_batch(a: TenantHandle, sku: str, location: str) -> str:
    """A food production batch made of A's lot (its recall trace and batch routes)."""
    assert a.post("/api/v1/items", json={"sku": "A-SECRET-FG", "name": "Alpha secret yoghurt",
                                         "tracking": "lot"}).status_code == 201
    assert a.request("PUT", "/api/v1/items/A-SECRET-FG/bom",
                     json={"lines": [{"sku": sku, "quantity": 1}]}).status_code == 200
    made = a.post("/api/v1/food/batches", json={"number": "A-SECRET-BATCH", "sku": "A-SECRET-FG", "quantity": "1",
                                                "from_location": location, "to_location": location})
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


def _operations(http: httpx.Client) -> list[tuple[str, str, dict[str, Any]]]:
    spec = http.get("/schema/openapi.json").json()
    found = []
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/v1/") or path in PUBLIC:
            continue
        for method, op in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path, op))
    return found


def _fill(path: str, op: dict[str, Any], values: dict[str, list[str]], pick: int) -> tuple[str, bool]:
    owned = False
    for param in op.get("parameters", []):
        if param["in"] != "path":
            continue
        name = param["name"]
        assert name in values, (
            f"{path}: path parameter {name!r} is unknown to the cross-tenant sweep; "
            f"add a tenant-A value for it in tenant_a_data")
        options = values[name]
        path = path.replace("{" + name + "}", options[min(pick, len(options) - 1)])
        owned |= name not in NOT_TENANT_DATA
    return path, owned


def test_tenant_b_never_sees_or_touches_tenant_a(http: httpx.Client, tenant_a_data: dict[str, Any]) -> None:
    b: TenantHandle = sign_up(http, "Bravo Co", plan="enterprise")
    for plugin in INDUSTRY_PLUGINS:  # B passes the plugin guard: the routes' own checks answer
        assert b.post(f"/api/v1/plugins/{plugin}/enable").status_code == 200
    a: TenantHandle = tenant_a_data["tenant"]
    operations = _operations(http)
    assert len(operations) >= 15, "the sweep found suspiciously few routes"
    checked = 0
    for method, template, op in operations:
        for pick in (0, 1):
            path, owned = _fill(template, op, tenant_a_data["path_values"], pick)
            query = {p["name"]: tenant_a_data["query_values"][p["name"]]
                     for p in op.get("parameters", [])
                     if p["in"] == "query" and p["name"] in tenant_a_data["query_values"]}
            body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
            answer = b.request(method, path, params=query, json=body)
            where = f"{method} {path}"
            assert answer.status_code < 500, f"{where} answered {answer.status_code}: {answer.text}"
            # A body refused by schema validation (400 with its errors) never reached the
            # tenant's data: the request was stopped before any lookup, so it is no leak.
            refused_body = (answer.status_code == 400 and body is not None
                            and bool(answer.json().get("errors")))
            if owned and not refused_body:
                assert answer.status_code in (403, 404), f"{where} answered {answer.status_code}"
            text = answer.text
            sent = path + json.dumps(query)  # echoing what B itself sent is no leak
            for secret in tenant_a_data["secrets"]:
                if secret in sent:
                    continue
                assert secret not in text, f"{where} leaked {secret!r}: {text[:300]}"
            checked += 1
    assert checked >= 30
    # A's data is intact after B's attempts.
    assert a.get("/api/v1/items/A-SECRET-SKU").json()["name"] == "Alpha secret part"
    assert a.get(f"/api/v1/locations/{tenant_a_data['path_values']['location_id'][0]}").status_code == 200
    assert a.get("/api/v1/items").json()["total"] == 62  # 61 and the food batch's product
    vmi = {p["name"]: p["enabled"] for p in a.get("/api/v1/plugins").json()["items"]}
    assert vmi["vmi"] is True
    assert [m["role"] for m in a.get("/api/v1/members").json()["items"]] == ["owner"]
    assert a.get("/api/v1/invitations").json()["items"][0]["revoked_at"] is None
    assert a.get("/api/v1/api-keys").json()["items"][0]["revoked_at"] is None
    # B with A's key acts in A's tenant only, which is the point of a key; B's own
    # credentials never reach A's audit log.
    assert str(b.user_id) not in {e["user_id"] for e in a.get("/api/v1/audit", params={"limit": 200}).json()["items"]}


def test_sweep_would_catch_a_leak(http: httpx.Client, tenant_a_data: dict[str, Any]) -> None:
    """The sweep's own check: A's token does see A's secrets on the same routes."""
    a: TenantHandle = tenant_a_data["tenant"]
    seen = json.dumps([a.get("/api/v1/items/A-SECRET-SKU").json(), a.get("/api/v1/items").json()])
    assert "A-SECRET-SKU" in seen and "Alpha secret part" in seen
