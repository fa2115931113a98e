"""The count pages for serial-tracked items: over HTTP (the scanned list is posted, a bad one
is refused keeping what was typed) and in headless Chromium (a storekeeper scans serials,
removes a mistaken one, saves; the owner reviews missing and found serials and posts)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.inventory.counts_support import add_pumps, member, post, setup_plant
from tests.support import ARTIFACTS, LiveServer, TenantHandle, browser_login


@pytest.fixture
def pumps(tenant: TenantHandle) -> dict[str, Any]:
    ids = setup_plant(tenant)
    add_pumps(tenant, ids)
    post(tenant, "receipt", "BOLT", "10", to_location="B1")
    return ids


def _main_text(html: str) -> str:
    """The page's main content without scripts and tags (what a person reads)."""
    main = re.sub(r"<script.*?</script>", " ", html.split("<main", 1)[-1], flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_serial_list_is_posted_and_a_bad_one_refused(http: httpx.Client, tenant: TenantHandle,
                                                     pumps: dict[str, Any], owner_engine: Any) -> None:
    keeper = member(tenant, owner_engine, "storekeeper")
    http.cookies.set("plantops_session", keeper.token)
    count = keeper.post("/api/v1/counts", json={"location": "B1"}).json()
    line_id = next(x["id"] for x in count["lines"] if x["sku"] == "PUMP")
    page = http.get(f"/app/counts/{count['id']}").text
    assert 'class="serial-input"' in page and f'name="s_{line_id}"' in page
    assert not re.search(r"\bS[1-4]\b", _main_text(page))  # blind: no book serial anywhere
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert token
    bad = http.post(f"/app/counts/{count['id']}/lines",
                    data={f"s_{line_id}": "S1\nS9\nS9", "_csrf_token": token.group(1)})
    assert bad.status_code == 422 and "S9 is scanned twice" in bad.text
    assert re.search(r'class="serial-input"[^>]*aria-invalid="true"', bad.text)
    assert "<span>S9</span>" in bad.text  # what was scanned is kept to fix
    saved = http.post(f"/app/counts/{count['id']}/lines",
                      data={f"s_{line_id}": "S1\r\nS2\r\nS9\r\n", "_csrf_token": token.group(1)})
    assert saved.status_code == 200 and "Saved 1 count" in saved.text
    line = next(x for x in keeper.get(f"/api/v1/counts/{count['id']}").json()["lines"] if x["id"] == line_id)
    assert line["counted_serials"] == ["S1", "S2", "S9"] and line["counted_qty"] == "3"
    assert "S3" not in _main_text(saved.text)


def _scan(page: Any, code: str) -> None:
    """What a scanner in keyboard mode does: type the code, then Enter."""
    page.focus("#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def _serial(page: Any, serial: str) -> None:
    page.keyboard.type(serial)
    page.keyboard.press("Enter")
    page.wait_for_selector(f".serial-list li span:text-is('{serial}')")


def test_storekeeper_scans_serials_and_owner_posts_them(browser: Any, live_server: LiveServer,
                                                        tenant: TenantHandle, pumps: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    count = tenant.post("/api/v1/counts", json={"location": "B1"}).json()
    page = browser_login(browser, base, tenant.email)
    page.set_viewport_size({"width": 412, "height": 900})
    page.goto(f"{base}/app/counts/{count['id']}")
    _scan(page, "B1")
    page.wait_for_selector("text=Location B1: now scan the items here.")
    _scan(page, "PUMP")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('serial-input')")
    for serial in ("S1", "S2", "S7", "S4", "S9"):
        _serial(page, serial)
    page.click("button[aria-label='Remove S7']")  # scanned the wrong unit
    page.wait_for_function("document.querySelectorAll('.serial-list li').length === 4")
    assert page.evaluate("document.activeElement.classList.contains('serial-input')")
    assert page.inner_text(".serial-total") == "4" and "S3" not in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "count-serials-handheld.png"), full_page=True)
    page.keyboard.press("Enter")  # Enter on the empty field saves
    page.wait_for_selector("text=Saved 1 count")
    _scan(page, "BOLT")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('count-input')")
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=2 of 2 lines counted")
    assert page.inner_text(".serial-list").split() == ["S1", "×", "S2", "×", "S4", "×", "S9", "×"]
    page.click("#submit-count")
    page.wait_for_function("document.querySelector('#count-state').textContent === 'counted'")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#review-link")
    page.wait_for_selector("table.variances")
    assert page.inner_text(".missing-serials") == "Missing: S3"
    assert page.inner_text(".found-serials") == "Found: S4 (from B2), S9"
    page.screenshot(path=str(ARTIFACTS / "count-serials-review.png"), full_page=True)
    page.click("#post-count")
    page.wait_for_selector("#posted-note")
    serials = tenant.get("/api/v1/serials", params={"sku": "PUMP"}).json()["items"]
    assert {x["serial"]: x["location_code"] for x in serials} == {
        "S1": "B1", "S2": "B1", "S3": None, "S4": "B1", "S9": "B1"}
    page.close()
