"""`make demo` seeds "Demo Food": a dairy whose food pages all have something to show."""

from __future__ import annotations

from core.plugins import get_plugin_manager
from plugins.food_fifo.demo import seed_food_demo
from tests.food_fifo.support import created, days, enable_food
from tests.support import TenantHandle, wait_for_job


def test_the_dairy_demo(tenant: TenantHandle) -> None:
    seeders = {get_plugin_manager().get_name(i.plugin) for i in get_plugin_manager().hook.seed_demo.get_hookimpls()}
    assert "food_fifo" in seeders
    enable_food(tenant)
    seed_food_demo(tenant.tenant_id, tenant.user_id)
    assert [b["number"] for b in tenant.get("/api/v1/food/batches").json()["items"]] == ["B-0002", "B-0001"]
    expired = tenant.get("/api/v1/lots/MILK-0411").json()
    assert (expired["status"], expired["on_hand"]) == ("expired", "30")
    alerts = [a["title"] for a in tenant.get("/api/v1/alerts").json()["items"] if a["source"] == "food_fifo"]
    assert f"Lot MILK-0411 of RAW-MILK expired on {days(-1)}" in alerts
    assert f"Lot MILK-0417 of RAW-MILK expires in 2 days ({days(2)})" in alerts
    spoiled = created(tenant.get("/api/v1/food/reports/spoilage"), 200)
    assert spoiled["by_item"]["RAW-MILK"]["quantity"] == "20"
    trace = created(tenant.get("/api/v1/food/recall/MILK-0417"), 200)
    assert trace["batches"] == ["B-0001", "B-0002"] and trace["destinations"] == ["sales_order SO-2001"]
    [run] = tenant.get("/api/v1/mrp/runs").json()["items"]
    assert wait_for_job(tenant, run["job_id"])["status"] == "succeeded"
    schedule = created(tenant.get("/api/v1/food/schedule"), 200)
    assert schedule["suggestions"] and schedule["suggestions"][0]["sku"] == "YOG-500"
