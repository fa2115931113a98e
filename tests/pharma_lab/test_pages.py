"""The lab's pages over HTTP (render, roles, CSRF, errors) and one browser flow: QA signs a
lot out of quarantine on the QC queue and reads the signature in the lot's audit trail."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx

from tests.pharma_lab.support import STORE, Lab, item, receive, released
from tests.support import ARTIFACTS, PASSWORD, LiveServer, TenantHandle, browser_login


def _as(http: httpx.Client, who: TenantHandle) -> httpx.Client:
    http.cookies.set("plantops_session", who.token)
    return http


def _csrf(http: httpx.Client, path: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', http.get(path).text)
    assert found, f"{path} has a form with a CSRF token"
    return found.group(1)


def _lab_data(lab: Lab) -> None:
    item(lab.owner, "ACN")
    item(lab.owner, "BUF")
    for sku, low in (("ACN", "5"), ("BUF", "1")):
        assert lab.owner.request("PUT", f"/api/v1/pharma/reagents/{sku}", json={
            "storage_condition": "ambient", "hazard_classes": ["GHS02"], "min_stock": low}).status_code == 200
    released(lab, "ACN", "A-1", "2")
    assert receive(lab.owner, "BUF", "B-Q", "3").status_code == 201
    assert lab.owner.post("/api/v1/pharma/assay-methods", json={
        "name": "KF titration", "reagents": [{"sku": "BUF", "quantity": "1"}]}).status_code == 201


def test_pages_render_and_forms_work(http: httpx.Client, lab: Lab, plain: TenantHandle) -> None:
    _lab_data(lab)
    _as(http, lab.owner)
    for path, expected in (("/app/pharma/qc", "B-Q"), ("/app/pharma/reagents", "reagent-chart"),
                           ("/app/pharma/assays", "KF titration")):
        answer = http.get(path)
        assert answer.status_code == 200 and expected in answer.text, path
    assert "Sign release" not in http.get("/app/pharma/qc").text  # the owner is not QA
    assert '"usable": [2.0, 0.0]' in http.get("/app/pharma/reagents").text
    token = _csrf(http, "/app/pharma/assays")
    day = (date.today() + timedelta(days=1)).isoformat()
    scheduled = http.post("/app/pharma/assays", data={"_csrf_token": token, "method": "KF titration",
                                                      "scheduled_on": day, "location": STORE})
    assert scheduled.status_code == 303 and "short" in scheduled.headers["location"]
    page = http.get("/app/pharma/assays").text
    assert "short 1" in page and 'class="run-scheduled short"' in page
    bad = http.post("/app/pharma/assays", data={"_csrf_token": token, "method": "KF titration",
                                                "scheduled_on": "yesterday", "location": STORE})
    assert bad.status_code == 422 and "scheduled_on" in bad.text
    saved = http.post("/app/pharma/reagents", data={"_csrf_token": token, "sku": "ACN", "storage_condition": "dark",
                                                    "in_use_days": "x"})
    assert saved.status_code == 422 and "in_use_days must be a whole number" in saved.text
    no_csrf = http.post("/app/pharma/assays", data={"method": "KF titration", "scheduled_on": day, "location": STORE})
    assert no_csrf.status_code == 403
    lot_id = re.search(r'href="/app/pharma/lots/([0-9a-f-]{36})">A-1', http.get("/app/pharma/reagents").text)
    assert lot_id
    opened = http.post(f"/app/pharma/lots/{lot_id.group(1)}/open", data={"_csrf_token": token, "opened_on": ""})
    assert opened.status_code == 303
    assert lab.owner.post("/api/v1/pharma/lots/A-1/coa", files={"file": ("coa.txt", b"99.9 %", "text/plain")}
                          ).status_code == 201
    assert http.get(f"/app/pharma/lots/{lot_id.group(1)}/coa").content == b"99.9 %"
    trail = http.get(f"/app/pharma/lots/{lot_id.group(1)}").text
    assert "event-signature" in trail and "opened on" in trail and lab.qa.email in trail
    _as(http, plain)
    assert http.get("/app/pharma/qc").status_code == 403


def test_qa_signs_on_the_qc_queue_in_a_browser(browser: Any, live_server: LiveServer, lab: Lab) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "ACN-2611").status_code == 201
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    page = browser_login(browser, base, lab.qa.email)
    page.click("nav summary:has-text('Lab')")  # the plugin's menu folds its pages together
    page.click("nav >> text=QC queue")
    page.wait_for_url(f"{base}/app/pharma/qc")
    row = page.locator("#lot-ACN-2611")
    row.locator("summary", has_text="Release").click()
    form = row.locator("form[action$='/release']")
    form.locator("input[name=reason]").fill("CoA and identity test within specification")
    form.locator("input[name=password]").fill("Not-the-password-1")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.error")
    assert "nothing was signed" in page.inner_text("p.error")
    form = page.locator("#lot-ACN-2611 form[action$='/release']")
    form.locator("input[name=reason]").fill("CoA and identity test within specification")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.flash")
    assert "Lot ACN-2611 released" in page.inner_text("p.flash")
    assert page.locator("#lot-ACN-2611").count() == 0
    page.goto(f"{base}/app/lots")
    page.click("text=ACN-2611")
    lot_id = page.url.rsplit("/", 1)[-1]
    page.goto(f"{base}/app/pharma/lots/{lot_id}")
    assert page.inner_text("#lot-status") == "available"
    assert "QC release signed" in page.inner_text("#trail")
    page.screenshot(path=str(ARTIFACTS / "pharma-lot-audit-trail.png"), full_page=True)
    page.close()
