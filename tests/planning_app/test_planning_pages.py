"""Planning pages over real HTTP and in headless Chromium."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.planning_app.support import make_item, monday, order, set_bom
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import ARTIFACTS, PASSWORD, LiveServer, TenantHandle, browser_login


def _login(http: httpx.Client, email: str) -> str:
    page = http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = http.post("/login", data={"email": email, "password": PASSWORD, "_csrf_token": token.group(1)})
    assert answer.status_code == 303
    return token.group(1)


def _plan(tenant: TenantHandle) -> dict[str, Any]:
    make_item(tenant, "TABLE", kind="make", lead_time_days=5)
    make_item(tenant, "LEG", kind="make", lead_time_days=5)
    set_bom(tenant, "TABLE", [{"sku": "LEG", "quantity": 4}])
    order(tenant, "SO-77", [("TABLE", 80, 2), ("TABLE", 60, 4)])
    tenant.request("PUT", "/api/v1/forecasts", json={"entries": [{"sku": "TABLE", "period_start": monday(4).isoformat(),
                                                                  "quantity": 100}]})
    return run_mrp(tenant)


def test_planning_pages_render(http: httpx.Client, tenant: TenantHandle) -> None:
    run = _plan(tenant)
    csrf = _login(http, tenant.email)
    checks = [("/app/mrp", "Run MRP now"), (f"/app/mrp/runs/{run['id']}", "planned orders"),
              (f"/app/mrp/runs/{run['id']}/orders", "LEG"), (f"/app/mrp/runs/{run['id']}/exceptions", "past due"),
              ("/app/items/TABLE/mrp", "Projected on hand"), ("/app/mps?sku=TABLE", "Available to promise")]
    for path, expected in checks:
        answer = http.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert expected in answer.text, path
    grid = http.get("/app/mps?sku=TABLE").text
    assert "SO-77" not in grid and ">100<" in grid.replace(" ", "")  # forecast row shows the 100
    saved = http.put(f"/app/mps/TABLE/firm/{monday(5).isoformat()}", data={"quantity": "30"},
                     headers={"x-csrftoken": csrf})
    assert saved.status_code == 200 and "saved" in saved.text
    bad = http.put(f"/app/mps/TABLE/firm/{monday(5).isoformat()}", data={"quantity": "-4"},
                   headers={"x-csrftoken": csrf})
    assert "at least 0" in bad.text


def test_planner_runs_mrp_and_follows_pegging_in_the_browser(
    browser: Any, live_server: LiveServer, tenant: TenantHandle
) -> None:
    _plan(tenant)
    base = live_server.url
    page = browser_login(browser, base, tenant.email)
    page.goto(f"{base}/app/mrp")
    page.click("text=Run MRP now")
    page.wait_for_selector("nav.tabs")  # the progress bar polls until the run ends, then the page shows results
    assert "succeeded" in page.inner_text("#run-progress")
    page.click("nav.tabs >> text=Planned orders")
    page.click("#orders tr:has-text('LEG') >> text=pegging")
    page.wait_for_selector("#pegging")
    assert "customer order" in page.inner_text("#pegging").lower() and "SO-77" in page.inner_text("#pegging")
    page.goto(f"{base}/app/items/TABLE/mrp")
    page.wait_for_function("() => window.Chart && Chart.getChart('poh-chart')")
    page.goto(f"{base}/app/mps?sku=TABLE")
    cell = page.locator("input[aria-label='firm period 6']")
    cell.fill("25")
    cell.press("Tab")
    page.wait_for_selector(".cell-status .saved")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mps.png"), full_page=True)
    firm = tenant.get("/api/v1/items/TABLE/mrp-record").json()
    assert firm["sku"] == "TABLE"
    page.close()
