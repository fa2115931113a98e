"""MRP runs in the app: a dramatiq job that loads from PostgreSQL, plans with the engine
and persists orders, exceptions and records that match the offline command exactly."""

from __future__ import annotations

from typing import Any

from core.planning.bundle import parse_bundle
from core.planning.plan_output import render_plan
from core.planning.planner import plan
from tests.planning_app.support import make_item, order, set_bom
from tests.support import TenantHandle, wait_for_job


def run_mrp(tenant: TenantHandle) -> dict[str, Any]:
    started = tenant.post("/api/v1/mrp/runs", json={})
    assert started.status_code == 202, started.text
    job = wait_for_job(tenant, started.json()["job_id"])
    assert job["status"] == "succeeded", job
    run = tenant.get(f"/api/v1/mrp/runs/{started.json()['run_id']}").json()
    assert run["status"] == "succeeded" and run["progress"] == 100
    return run


def _table_and_legs(tenant: TenantHandle) -> None:
    # The spec's own example (plan-bundle.md), in week buckets: a one-week lead time is 5 working days.
    make_item(tenant, "TABLE", kind="make", lead_time_days=5)
    make_item(tenant, "LEG", kind="make", lead_time_days=5)
    set_bom(tenant, "TABLE", [{"sku": "LEG", "quantity": 4}])
    order(tenant, "SO-1", [("TABLE", 80, 2), ("TABLE", 60, 4), ("TABLE", 40, 6)])


def test_run_plans_like_the_offline_engine(tenant: TenantHandle) -> None:
    _table_and_legs(tenant)
    run = run_mrp(tenant)
    assert run["counts"]["items"] == 2 and run["periods"] == 26
    assert set(run["timings"]) == {"load_s", "plan_s", "store_s"}
    table = tenant.get("/api/v1/items/TABLE/mrp-record").json()["record"]
    assert table["gross_requirements"][:6] == [0, 80, 0, 60, 0, 40]
    assert table["planned_order_releases"][:6] == [80, 0, 60, 0, 40, 0]
    leg = tenant.get("/api/v1/items/LEG/mrp-record").json()["record"]
    assert leg["gross_requirements"][:6] == [320, 0, 240, 0, 160, 0]
    # The same problem as a bundle, planned by the engine directly, gives the same orders.
    bundle = {"periods": 26, "items": [
        {"sku": "LEG", "lead_time": 1},
        {"sku": "TABLE", "lead_time": 1, "customer_orders": {"2": 80, "4": 60, "6": 40}, "forecast": {}}],
        "bom": [{"parent": "TABLE", "component": "LEG", "qty": 4}]}
    expected = render_plan(plan(parse_bundle(bundle)))
    stored = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders").json()["items"]
    assert sorted((o["sku"], float(o["quantity"]), o["release_period"], o["receipt_period"]) for o in stored) == sorted(
        (o["sku"], float(o["quantity"]), o["release_period"], o["receipt_period"]) for o in expected["planned_orders"])
    kinds = {o["sku"]: o["kind"] for o in stored}
    assert kinds == {"TABLE": "make", "LEG": "make"}
    exceptions = tenant.get(f"/api/v1/mrp/runs/{run['id']}/exceptions").json()["items"]
    assert [(e["sku"], e["kind"], e["period"]) for e in exceptions] == [("LEG", "past_due", 1)]


def test_pegging_drills_up_to_the_customer_order(tenant: TenantHandle) -> None:
    _table_and_legs(tenant)
    run = run_mrp(tenant)
    legs = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders", params={"sku": "LEG"}).json()["items"]
    leg_for_week_3 = next(o for o in legs if o["receipt_period"] == 3)
    chain = tenant.get(f"/api/v1/mrp/planned-orders/{leg_for_week_3['id']}/pegging").json()
    assert chain["sku"] == "LEG" and chain["quantity"] == "240"
    table = chain["parents"][0]
    assert table["sku"] == "TABLE" and table["kind"] == "order" and table["quantity"] == "60"
    assert table["parents"][0]["kind"] == "sales_order" and "SO-1" in table["parents"][0]["reference"]


def test_firming_an_order_carries_it_into_the_next_run(tenant: TenantHandle) -> None:
    _table_and_legs(tenant)
    first = run_mrp(tenant)
    tables = tenant.get(f"/api/v1/mrp/runs/{first['id']}/planned-orders", params={"sku": "TABLE"}).json()["items"]
    target = next(o for o in tables if o["receipt_period"] == 4)
    firmed = tenant.post(f"/api/v1/mrp/planned-orders/{target['id']}/firm")
    assert firmed.status_code == 200 and firmed.json()["status"] == "firm"
    second = run_mrp(tenant)
    again = tenant.get(f"/api/v1/mrp/runs/{second['id']}/planned-orders", params={"sku": "TABLE"}).json()["items"]
    assert sorted(o["receipt_period"] for o in again) == [2, 6]  # week 4 is covered by the firm receipt
    record = tenant.get("/api/v1/items/TABLE/mrp-record", params={"run": second["id"]}).json()["record"]
    assert record["planned_order_receipts"][3] == 60  # the firm receipt still shows in the record


def test_purchasing_alert_for_a_buy_order_released_today(tenant: TenantHandle) -> None:
    make_item(tenant, "BOLT", kind="buy", lead_time_days=5)
    order(tenant, "SO-2", [("BOLT", 100, 2)])
    run_mrp(tenant)
    alerts = tenant.get("/api/v1/mrp/alerts").json()["items"]
    assert [(a["sku"], a["quantity"]) for a in alerts] == [("BOLT", "100")]


def test_dashboard_shows_the_purchasing_alert(http: object, tenant: TenantHandle) -> None:
    from tests.planning_app.test_planning_pages import _login

    make_item(tenant, "NUT", kind="buy", lead_time_days=5)
    order(tenant, "SO-3", [("NUT", 12, 2)])
    run_mrp(tenant)
    _login(http, tenant.email)  # type: ignore[arg-type]
    page = http.get("/").text  # type: ignore[attr-defined]
    assert "purchasing-alerts" in page and "12 NUT" in page


def test_bad_run_requests(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/mrp/runs", json={"plant_id": "00000000-0000-0000-0000-000000000001"})
    assert answer.status_code == 422 and answer.json()["field"] == "plant_id"
    assert tenant.get("/api/v1/items/NOPE/mrp-record").status_code == 404
    assert tenant.get("/api/v1/mrp/runs/00000000-0000-0000-0000-000000000001").status_code == 404
