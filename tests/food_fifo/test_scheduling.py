"""The day's batch schedule: the latest MRP run's planned make orders of a day, their
component lots allocated first-expiring-first across the day without double counting,
lots expired by the day left out; a suggestion confirmed into a batch."""

from __future__ import annotations

from typing import Any

from tests.food_fifo.support import created, days, receive, setup_dairy
from tests.planning_app.support import in_period, order, set_bom
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle


def _picks(suggestion: dict[str, Any], sku: str) -> list[tuple[str, str]]:
    [pick] = [p for p in suggestion["picks"] if p["sku"] == sku]
    return [(line["lot"], line["quantity"]) for line in pick["lines"]]


def test_schedule_allocates_the_days_lots_once_and_confirms(tenant: TenantHandle,
                                                            other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    created(tenant.post("/api/v1/items", json={"sku": "KEFIR", "name": "Kefir", "tracking": "lot",
                                                "kind": "make", "lead_time_days": 1}))
    set_bom(tenant, "KEFIR", [{"sku": "MILK", "quantity": 1}, {"sku": "CULTURE", "quantity": "0.01"}])
    receive(tenant, "MILK", "M-OLD", "5", days(-8))  # received first, but past its date by the day
    receive(tenant, "MILK", "M-A", "8", days(20))
    receive(tenant, "MILK", "M-B", "6", days(6))
    receive(tenant, "MILK", "M-C", "10", days(30))
    receive(tenant, "CULTURE", "C1", "1", days(60))
    assert tenant.get("/api/v1/food/schedule").json()["suggestions"] == []  # no MRP run yet
    order(tenant, "SO-1", [("YOG", 10, 2), ("KEFIR", 10, 2)])
    run_mrp(tenant)
    schedule = created(tenant.get("/api/v1/food/schedule"), 200)
    assert [(s["sku"], s["quantity"]) for s in schedule["suggestions"]] == [("KEFIR", "10"), ("YOG", "10")]
    kefir, yog = schedule["suggestions"]
    assert _picks(kefir, "MILK") == [("M-B", "6"), ("M-A", "4")]
    assert _picks(yog, "MILK") == [("M-A", "4"), ("M-C", "5")]  # M-A's other 4, never counted twice
    assert _picks(yog, "CULTURE") == [("C1", "0.1")]
    day = schedule["day"]
    assert schedule["days"][0] == day and yog["due_date"] <= in_period(2)
    confirmed = created(tenant.post("/api/v1/food/schedule/confirm", json={
        "planned_order_id": yog["planned_order_id"], "to_location": "FG", "number": "B-YOG-1"}))
    assert sorted((m["lot_code"], m["quantity"]) for m in confirmed["consumed"]) == [
        ("C1", "0.1"), ("M-A", "4"), ("M-C", "5")]
    assert confirmed["produced"][0]["lot_code"] == "B-YOG-1"
    after = created(tenant.get("/api/v1/food/schedule", params={"day": day}), 200)
    assert [s["batch"] for s in after["suggestions"]] == [None, "B-YOG-1"]
    assert _picks(after["suggestions"][0], "MILK") == [("M-B", "6"), ("M-A", "4")]
    again = tenant.post("/api/v1/food/schedule/confirm", json={
        "planned_order_id": yog["planned_order_id"], "to_location": "FG"})
    assert again.status_code == 409 and "B-YOG-1" in again.text
    for body, status in [({"planned_order_id": kefir["planned_order_id"], "to_location": "NOWHERE"}, 422),
                         ({"planned_order_id": "00000000-0000-0000-0000-000000000000", "to_location": "FG"}, 404),
                         ({"to_location": "FG"}, 400)]:
        assert tenant.post("/api/v1/food/schedule/confirm", json=body).status_code == status, body
    assert other_tenant.get("/api/v1/food/schedule").status_code == 403
