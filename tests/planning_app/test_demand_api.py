"""Sales orders, forecasts, firm MPS quantities, BOMs and calendars over the API."""

from __future__ import annotations

import httpx
import pytest

from tests.planning_app.support import in_period, make_item, monday, order, set_bom
from tests.support import TenantHandle


def test_sales_order_crud(tenant: TenantHandle) -> None:
    make_item(tenant, "TABLE", kind="make")
    created = order(tenant, "SO-1", [("TABLE", "12.5", 2), ("TABLE", 3, 4)])
    assert [(line["sku"], line["quantity"], line["line_no"]) for line in created["lines"]] == [
        ("TABLE", "12.5", 1), ("TABLE", "3", 2)]
    assert tenant.get(f"/api/v1/demands/{created['id']}").json()["number"] == "SO-1"
    listed = tenant.get("/api/v1/demands", params={"sku": "TABLE"}).json()
    assert listed["total"] == 1
    assert tenant.delete(f"/api/v1/demands/{created['id']}").status_code == 204
    assert tenant.get("/api/v1/demands").json()["total"] == 0


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"number": "", "customer": "c", "lines": [{"sku": "T", "quantity": 1, "due_date": "2030-01-01"}]}, "number", 422),
    ({"number": "N", "customer": "c", "lines": []}, "lines", 422),
    ({"number": "N", "customer": "c", "lines": [{"sku": "NOPE", "quantity": 1, "due_date": "2030-01-01"}]},
     "lines[0].sku", 422),
    ({"number": "N", "customer": "c", "lines": [{"sku": "T", "quantity": 0, "due_date": "2030-01-01"}]},
     "lines[0].quantity", 422),
    ({"number": "N", "customer": "c", "lines": [{"sku": "T", "quantity": 1, "due_date": "soon"}]},
     "lines.0.due_date", 400),
    ({"number": "N", "lines": [{"sku": "T", "quantity": 1, "due_date": "2030-01-01"}]}, "customer", 400),
])
def test_bad_sales_order_saves_nothing(tenant: TenantHandle, body: dict[str, object], field: str,
                                       status: int) -> None:
    make_item(tenant, "T")
    answer = tenant.post("/api/v1/demands", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"].replace("[", ".").replace("]", "") == field.replace("[", ".").replace("]", "")
    assert tenant.get("/api/v1/demands").json()["total"] == 0


def test_duplicate_order_number_is_409(tenant: TenantHandle) -> None:
    make_item(tenant, "T")
    order(tenant, "SO-9", [("T", 1, 1)])
    again = tenant.post("/api/v1/demands", json={"number": "SO-9", "customer": "x",
                                                 "lines": [{"sku": "T", "quantity": 1, "due_date": in_period(1)}]})
    assert again.status_code == 409 and again.json()["field"] == "number"


def test_forecasts_upsert_and_delete(tenant: TenantHandle) -> None:
    make_item(tenant, "T")
    week = monday(1).isoformat()
    def put(quantity: object) -> httpx.Response:
        entry = {"sku": "T", "period_start": week, "quantity": quantity}
        return tenant.request("PUT", "/api/v1/forecasts", json={"entries": [entry]})

    first = put(40)
    assert first.status_code == 200, first.text
    put("45.5")
    rows = tenant.get("/api/v1/forecasts", params={"sku": "T"}).json()["items"]
    assert [(r["period_start"], r["quantity"]) for r in rows] == [(week, "45.5")]
    assert tenant.delete(f"/api/v1/forecasts/{rows[0]['id']}").status_code == 204
    bad = put(-1)
    assert bad.status_code == 422 and bad.json()["field"] == "entries[0].quantity"
    assert tenant.get("/api/v1/forecasts").json()["items"] == []


def test_bom_replace_and_cycles_refused(tenant: TenantHandle) -> None:
    for sku in ("TABLE", "LEG", "SCREW"):
        make_item(tenant, sku, kind="make" if sku != "SCREW" else "buy")
    set_bom(tenant, "TABLE", [{"sku": "LEG", "quantity": 4}, {"sku": "SCREW", "quantity": 8, "scrap_pct": "2.5"}])
    set_bom(tenant, "LEG", [{"sku": "SCREW", "quantity": 2}])
    lines = tenant.get("/api/v1/items/TABLE/bom").json()["lines"]
    assert [(line["sku"], line["quantity"], line["scrap_pct"]) for line in lines] == [
        ("LEG", "4", "0"), ("SCREW", "8", "2.5")]
    cycle = tenant.request("PUT", "/api/v1/items/SCREW/bom", json={"lines": [{"sku": "TABLE", "quantity": 1}]})
    assert cycle.status_code == 422 and cycle.json()["field"] == "lines[0].sku" and "cycle" in cycle.json()["detail"]
    itself = tenant.request("PUT", "/api/v1/items/LEG/bom", json={"lines": [{"sku": "LEG", "quantity": 1}]})
    assert itself.status_code == 422
    assert tenant.get("/api/v1/items/LEG/bom").json()["lines"][0]["sku"] == "SCREW"  # unchanged


def test_calendar_defaults_and_rules(tenant: TenantHandle) -> None:
    path = f"/api/v1/plants/{tenant.plant_id}/calendar"
    assert tenant.get(path).json() == {"plant_id": str(tenant.plant_id), "bucket": "week", "horizon": 26,
                                       "working_days": [1, 2, 3, 4, 5], "demand_time_fence": 0}
    saved = tenant.request("PUT", path, json={"bucket": "day", "horizon": 30, "working_days": [1, 2, 3, 4, 5, 6],
                                              "demand_time_fence": 5})
    assert saved.status_code == 200 and saved.json()["bucket"] == "day"
    for body, field in [({"horizon": 0}, "horizon"), ({"working_days": [0, 8]}, "working_days"),
                        ({"demand_time_fence": 99}, "demand_time_fence"), ({"bucket": "month"}, "bucket")]:
        answer = tenant.request("PUT", path, json=body)
        assert answer.status_code in (400, 422) and answer.json()["field"] == field, (body, answer.text)
    assert tenant.get(path).json()["horizon"] == 30
