"""The daily expiry scan (a dramatiq job): expired lots turn ``expired`` and, where the
tenant chose it, are written off as spoilage once; lots inside the alert window raise
alerts. A second run of the same day changes nothing; a tenant without the plugin is
left alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.daily_scan import scan_now
from tests.food_fifo.support import created, days, move, receive, setup_dairy
from tests.support import TenantHandle, wait_for_job


def _scan(tenant: TenantHandle) -> dict[str, Any]:
    queued = created(tenant.post("/api/v1/food/expiry/scan", json={}), 202)
    job = wait_for_job(tenant, queued["job_id"])
    assert job["status"] == "succeeded", job
    [food] = [p for p in job["result"]["plugins"] if p["plugin"] == "food_fifo"]
    return dict(food)


def _stock(tenant: TenantHandle) -> None:
    receive(tenant, "MILK", "SOON", "5", days(2))
    receive(tenant, "MILK", "LATER", "5", days(20))
    receive(tenant, "MILK", "STALE", "6", days(-1))
    move(tenant, kind="transfer", sku="MILK", quantity="2", from_location="COLD", to_location="LINE", lot="STALE")


def _alerts(tenant: TenantHandle) -> list[tuple[str, str]]:
    return [(a["severity"], a["title"]) for a in tenant.get("/api/v1/alerts").json()["items"]
            if a["source"] == "food_fifo"]


def test_scan_expires_writes_off_once_and_alerts(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    assert tenant.request("PUT", "/api/v1/food/settings",
                          json={"alert_days": 3, "auto_write_off": True}).json() == {
        "alert_days": 3, "auto_write_off": True}
    _stock(tenant)
    first = _scan(tenant)
    assert (first["lots_expired"], first["alerts_raised"], first["spoilage_moves"]) == (1, 2, 2)
    assert tenant.get("/api/v1/lots/STALE").json()["status"] == "expired"
    assert tenant.get("/api/v1/lots/STALE").json()["on_hand"] == "0"
    scrapped = tenant.get("/api/v1/stock-moves", params={"kind": "scrap"}).json()["items"]
    assert sorted((m["from_location_code"], m["quantity"], m["reason"]) for m in scrapped) == [
        ("COLD", "4", "spoilage"), ("LINE", "2", "spoilage")]
    second = _scan(tenant)
    assert (second["lots_expired"], second["alerts_raised"], second["spoilage_moves"]) == (0, 0, 0)
    assert len(tenant.get("/api/v1/stock-moves", params={"kind": "scrap"}).json()["items"]) == 2
    assert _alerts(tenant) == [("warning", f"Lot SOON of MILK expires in 2 days ({days(2)})")]
    report = created(tenant.get("/api/v1/food/expiry"), 200)
    assert [lot["code"] for lot in report["lots"]] == ["SOON"] and report["alert_days"] == 3


def test_without_write_off_the_expired_lot_stays_and_is_critical(tenant: TenantHandle,
                                                                 other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    setup_dairy(other_tenant, food=False)
    _stock(tenant)
    _stock(other_tenant)
    result = _scan(tenant)
    assert (result["lots_expired"], result["spoilage_moves"]) == (1, 0)
    assert tenant.get("/api/v1/lots/STALE").json()["on_hand"] == "6"
    assert _alerts(tenant) == [("critical", f"Lot STALE of MILK expired on {days(-1)}"),
                               ("warning", f"Lot SOON of MILK expires in 2 days ({days(2)})")]
    # The other tenant has no food plugin: its scan runs no food rule and raises nothing.
    queued = other_tenant.post("/api/v1/food/expiry/scan", json={})
    assert queued.status_code == 403 and "not enabled" in queued.text
    assert scan_now(other_tenant.tenant_id, date.today()) == {"date": date.today().isoformat(), "plugins": []}
    assert other_tenant.get("/api/v1/lots/STALE").json()["status"] == "available"
    assert _alerts(other_tenant) == []


def test_settings_refuse_bad_values(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    for body, status, field in [({"alert_days": -1}, 422, "alert_days"), ({"alert_days": 400}, 422, "alert_days"),
                                ({"alert_days": "x"}, 400, None), ({"colour": "red"}, 400, None),
                                ({"auto_write_off": "yes"}, 400, None)]:
        bad = tenant.request("PUT", "/api/v1/food/settings", json=body)
        assert bad.status_code == status, (body, bad.text)
        if field:
            assert bad.json()["field"] == field
    assert tenant.get("/api/v1/food/settings").json() == {"alert_days": 7, "auto_write_off": False}
    assert tenant.post("/api/v1/food/expiry/scan", json={"day": "yesterday"}).status_code == 400
