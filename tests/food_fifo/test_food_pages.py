"""The food pages: each renders for a food tenant and refuses others; the main flow in
a browser: the day's batch schedule, make a batch, read its recall trace."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.food_fifo.support import created, days, move, receive, setup_dairy
from tests.planning_app.support import order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import ARTIFACTS, LiveServer, TenantHandle, browser_login

PAGES = ("/app/food", "/app/food/schedule", "/app/food/batches", "/app/food/recall", "/app/food/spoilage")


def _as(http: httpx.Client, who: TenantHandle) -> httpx.Client:
    http.cookies.set("plantops_session", who.token)
    return http


def test_pages_render_for_food_tenants_only(http: httpx.Client, tenant: TenantHandle,
                                            other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    receive(tenant, "MILK", "M-SOON", "5", days(2))
    receive(tenant, "MILK", "M-GONE", "3", days(-1))
    move(tenant, kind="scrap", sku="MILK", quantity="1", from_location="COLD", lot="M-GONE", reason="spoilage")
    _as(http, tenant)
    texts = {path: http.get(path) for path in PAGES}
    assert all(r.status_code == 200 for r in texts.values()), {p: r.status_code for p, r in texts.items()}
    board = texts["/app/food"].text
    assert "M-SOON" in board and "M-GONE" in board and "<mark>expired</mark>" in board
    assert 'href="/app/food"' in board  # the plugin's menu entry
    assert 'id="spoilage-chart"' in texts["/app/food/spoilage"].text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', board)
    assert token
    saved = http.post("/app/food/settings", data={"alert_days": "1", "_csrf_token": token.group(1)})
    assert saved.status_code == 303 and tenant.get("/api/v1/food/settings").json()["alert_days"] == 1
    bad = http.post("/app/food/settings", data={"alert_days": "many", "_csrf_token": token.group(1)},
                    follow_redirects=True)
    assert "whole number" in bad.text and tenant.get("/api/v1/food/settings").json()["alert_days"] == 1
    missing = http.get("/app/food/recall", params={"lot": "NOPE"})
    assert missing.status_code == 404 and "no lot" in missing.text
    _as(http, other_tenant)
    for path in PAGES:
        assert http.get(path).status_code == 403, path
    assert 'href="/app/food"' not in http.get("/").text


def test_planner_makes_the_days_batch_and_traces_it(browser: Any, live_server: LiveServer,
                                                    tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    receive(tenant, "MILK", "RAW-7", "50", days(6))
    receive(tenant, "CULTURE", "C-1", "1", days(60))
    order(tenant, "SO-1", [("YOG", 20, 2)])
    run_mrp(tenant)
    base = live_server.url
    page = browser_login(browser, base, tenant.email)
    page.click("nav >> text=Food")
    page.click("text=Batch schedule")
    page.wait_for_selector("article.suggestion")
    assert "RAW-7" in page.inner_text("article.suggestion")
    page.fill("[name=to_location]", "FG")
    page.fill("[name=number]", "B-77")
    page.click("text=Make this batch")
    page.wait_for_selector("text=made as batch B-77")
    assert created(tenant.get("/api/v1/food/batches/B-77"), 200)["lot"] == "B-77"
    page.click("text=Recall")
    page.fill("[name=lot]", "RAW-7")
    page.click("button:has-text('Trace')")
    page.wait_for_selector("#recall-tree")
    tree = page.inner_text("#recall-tree")
    assert "YOG lot B-77" in tree and "via batch B-77" in tree
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "food-recall.png"), full_page=True)
    page.close()
