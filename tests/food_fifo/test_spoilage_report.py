"""The spoilage report: what was written off with reason spoilage, per item and period,
valued at the moves' cost; other write-offs and reversed ones do not count."""

from __future__ import annotations

from datetime import date

from tests.food_fifo.support import created, days, move, receive, setup_dairy
from tests.support import TenantHandle


def test_spoilage_per_item_and_period(tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    receive(tenant, "MILK", "M1", "20", days(1))
    receive(tenant, "CULTURE", "C1", "2", days(30))
    move(tenant, kind="scrap", sku="MILK", quantity="4", from_location="COLD", lot="M1", reason="spoilage")
    move(tenant, kind="issue", sku="MILK", quantity="2", from_location="COLD", lot="M1", reason="Spoilage: sour")
    move(tenant, kind="scrap", sku="MILK", quantity="3", from_location="COLD", lot="M1", reason="dropped")
    move(tenant, kind="scrap", sku="CULTURE", quantity="0.5", from_location="COLD", lot="C1", reason="spoilage")
    undone = move(tenant, kind="scrap", sku="MILK", quantity="5", from_location="COLD", lot="M1", reason="spoilage")
    created(tenant.post(f"/api/v1/stock-moves/{undone['id']}/reverse", json={"idempotency_key": "undo-1"}))
    report = created(tenant.get("/api/v1/food/reports/spoilage"), 200)
    monday = date.today().toordinal() - date.today().weekday()
    week = date.fromordinal(monday).isoformat()
    assert [(r["period_start"], r["sku"], r["quantity"], r["value"]) for r in report["rows"]] == [
        (week, "CULTURE", "0.5", "10"), (week, "MILK", "6", "4.8")]
    assert report["by_item"]["MILK"] == {"quantity": "6", "value": "4.8"} and report["total_value"] == "14.8"
    assert report["chart"] == {"labels": [week], "datasets": [{"label": "CULTURE", "data": [10.0]},
                                                               {"label": "MILK", "data": [4.8]}]}
    month = created(tenant.get("/api/v1/food/reports/spoilage", params={"period": "month"}), 200)
    assert [r["period_start"] for r in month["rows"]] == [date.today().replace(day=1).isoformat()] * 2
    past = created(tenant.get("/api/v1/food/reports/spoilage", params={"from": "2020-01-01", "to": "2020-03-01"}),
                   200)
    assert past["rows"] == [] and past["total_value"] == "0"
    for params, status in [({"period": "day"}, 422), ({"from": "2031-01-01", "to": "2030-01-01"}, 422),
                           ({"from": "soon"}, 400)]:
        assert tenant.get("/api/v1/food/reports/spoilage", params=params).status_code == status, params
    assert other_tenant.get("/api/v1/food/reports/spoilage").status_code == 403
