"""Stock, move and count pages: over HTTP (rendering, blindness, roles, CSRF, errors) and in
headless Chromium (a storekeeper receives with a scanner, sees the chart, counts blind)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.inventory.counts_support import member, post, setup_plant
from tests.support import ARTIFACTS, LiveServer, TenantHandle, browser_login

GTIN = "09506000134352"


def _as(http: httpx.Client, who: TenantHandle) -> httpx.Client:
    """The client with ``who``'s session cookie (the cookie carries the same signed token)."""
    http.cookies.set("plantops_session", who.token)
    return http


def _csrf(http: httpx.Client, path: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', http.get(path).text)
    assert found, f"{path} has a form with a CSRF token"
    return found.group(1)


@pytest.fixture
def stocked(tenant: TenantHandle) -> dict[str, Any]:
    ids = setup_plant(tenant)
    post(tenant, "receipt", "BOLT", "137", to_location="B1")
    post(tenant, "receipt", "GLUE", "10", to_location="B2", lot="L-77")
    post(tenant, "issue", "BOLT", "7", from_location="B1")
    return ids


def test_stock_and_move_pages_render(http: httpx.Client, tenant: TenantHandle, stocked: dict[str, Any]) -> None:
    _as(http, tenant)
    for path, expected in [
        ("/app/stock", "B1"), ("/app/stock?sku=GLUE", "L-77"), ("/app/stock/items/BOLT", "balance-chart"),
        ("/app/moves", "receipt"), ("/app/moves?kind=issue", "issue"), ("/app/moves/new/receipt", "Scan"),
        ("/app/moves/new/issue", "From location"), ("/app/moves/new/transfer", "To location"),
        ("/app/lots", "L-77"), ("/app/counts", "Open a count"),
    ]:
        answer = http.get(path)
        assert answer.status_code == 200, path
        assert expected in answer.text, path
    tree = http.get("/app/stock?sku=GLUE").text
    assert "BOLT" not in tree  # filtered to one sku
    chart = http.get("/app/stock/items/BOLT").text
    assert '"values": [137.0, 130.0]' in chart and 'id="on-hand">130' in chart
    fragment = http.get("/app/moves/table", params={"kind": "issue"})
    assert "<html" not in fragment.text and "receipt</span>" not in fragment.text and "issue</span>" in fragment.text
    lot_id = re.search(r'href="/app/lots/([0-9a-f-]{36})"', http.get("/app/lots").text)
    assert lot_id
    trace = http.get(f"/app/lots/{lot_id.group(1)}")
    assert trace.status_code == 200 and "Trace" in trace.text and "GLUE" in trace.text
    assert http.get("/app/stock/items/NOPE").status_code == 404
    assert http.get("/app/moves/new/adjust").status_code == 404


def test_move_form_posts_and_refuses_naming_the_field(http: httpx.Client, tenant: TenantHandle,
                                                      stocked: dict[str, Any]) -> None:
    _as(http, tenant)
    token = _csrf(http, "/app/moves/new/issue")
    assert http.post("/app/moves/new/issue", data={"sku": "BOLT", "quantity": "1",
                                                   "from_location": "B1"}).status_code == 403  # no CSRF token
    bad = http.post("/app/moves/new/issue", data={"sku": "BOLT", "quantity": "500", "from_location": "B1",
                                                  "idempotency_key": "page-1", "_csrf_token": token})
    assert bad.status_code == 409 and "not enough BOLT" in bad.text
    assert re.search(r'name="quantity"[^>]*value="500"[^>]*aria-invalid="true"', bad.text)
    ok = http.post("/app/moves/new/issue", data={"sku": "BOLT", "quantity": "3", "from_location": "B1",
                                                 "idempotency_key": "page-2", "_csrf_token": token})
    assert ok.status_code == 200 and "Issue: 3 BOLT at B1" in ok.text
    again = http.post("/app/moves/new/issue", data={"sku": "BOLT", "quantity": "3", "from_location": "B1",
                                                    "idempotency_key": "page-2", "_csrf_token": token})
    assert "already posted: nothing new" in again.text  # a double submit posts once
    assert tenant.get("/api/v1/stock", params={"sku": "BOLT"}).json()["totals"][0]["on_hand"] == "127"
    for data, field in [({"sku": "BOLT", "quantity": "abc", "from_location": "B1"}, "quantity"),
                        ({"sku": "BOLT", "quantity": "", "from_location": "B1"}, "quantity"),
                        ({"sku": "NOPE", "quantity": "1", "from_location": "B1"}, "sku"),
                        ({"sku": "BOLT", "quantity": "1", "from_location": "ZZ"}, "from_location")]:
        answer = http.post("/app/moves/new/issue", data={**data, "_csrf_token": token})
        assert answer.status_code in (404, 409, 422), (data, answer.status_code)
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', answer.text), data


def test_scanning_into_the_form_fills_the_fields(http: httpx.Client, tenant: TenantHandle,
                                                 stocked: dict[str, Any]) -> None:
    tenant.post("/api/v1/items", json={"sku": GTIN, "name": "Resin", "tracking": "lot"})
    _as(http, tenant)
    token = _csrf(http, "/app/moves/new/receipt")
    headers = {"x-csrftoken": token, "hx-request": "true"}
    place = http.post("/app/moves/new/receipt/scan", data={"code": "b1"}, headers=headers)
    assert place.status_code == 200 and 'name="to_location" value="B1"' in place.text
    assert 'data-focus="code"' in place.text  # no item yet: keep scanning
    label = http.post("/app/moves/new/receipt/scan", headers=headers,
                      data={"code": f"01{GTIN}17270331" "10LOT-9", "to_location": "B1"})
    text = label.text
    assert f'name="sku" value="{GTIN}"' in text and 'name="lot" value="LOT-9"' in text
    assert 'name="expiry_date" type="date" value="2027-03-31"' in text and 'data-focus="quantity"' in text
    broken = http.post("/app/moves/new/receipt/scan", data={"code": "0109506000134351"}, headers=headers)
    assert broken.status_code == 200 and "check digit" in broken.text
    found = http.post("/app/scan", data={"code": "BOLT"}, headers={"x-csrftoken": token})
    assert found.json()["kind"] == "item" and found.json()["item"]["sku"] == "BOLT"


def _visible_text(html: str) -> str:
    """What a person reads on the page: the main content without scripts, tags or attributes
    (a book quantity hidden in an input's value would be visible, so values are kept)."""
    main = html.split("<main", 1)[-1]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    inputs = [tag for tag in re.findall(r"<input[^>]*>", main) if "_csrf_token" not in tag]
    values = " ".join(v for tag in inputs for v in re.findall(r'\bvalue="([^"]*)"', tag))
    return re.sub(r"<[^>]+>", " ", main) + " " + values


def test_count_pages_are_blind_for_counters(http: httpx.Client, tenant: TenantHandle, stocked: dict[str, Any],
                                            owner_engine: Any) -> None:
    keeper = member(tenant, owner_engine, "storekeeper")
    _as(http, keeper)
    token = _csrf(http, "/app/counts")
    created = http.post("/app/counts", data={"location": stocked["B1"], "_csrf_token": token})
    assert created.status_code == 303
    page_path = created.headers["location"]
    page = http.get(page_path).text
    shown = _visible_text(page)  # ids and CSRF tokens are hex: "130" may hide in them
    assert "BOLT" in shown and "130" not in shown and "Expected" not in shown  # blind: no book quantity
    line = re.search(r'name="(c_[0-9a-f-]{36})"', page)
    assert line
    count_id = page_path.rsplit("/", 1)[1]
    saved = http.post(f"/app/counts/{count_id}/lines", data={line.group(1): "abc", "_csrf_token": token})
    assert saved.status_code == 422 and 'aria-invalid="true"' in saved.text and "130" not in _visible_text(saved.text)
    saved = http.post(f"/app/counts/{count_id}/lines", data={line.group(1): "128", "_csrf_token": token})
    assert "Saved 1 count" in saved.text and "130" not in _visible_text(saved.text)
    assert http.post(f"/app/counts/{count_id}/submit", data={"_csrf_token": token}).status_code == 303
    assert http.get(f"/app/counts/{count_id}/review").status_code == 403  # counters do not review
    assert http.post(f"/app/counts/{count_id}/post", data={"_csrf_token": token}).status_code == 403
    _as(http, tenant)
    review = http.get(f"/app/counts/{count_id}/review").text
    assert "130" in review and "-2" in review and "Approve and post the variance of 1 line" in review
    posted = http.post(f"/app/counts/{count_id}/post", data={"_csrf_token": token}, follow_redirects=True)
    assert "posted" in posted.text and "see the adjustments" in posted.text
    assert tenant.get("/api/v1/stock", params={"sku": "BOLT"}).json()["totals"][0]["on_hand"] == "128"


def test_viewer_cannot_post_moves_or_open_counts(http: httpx.Client, tenant: TenantHandle,
                                                 stocked: dict[str, Any], owner_engine: Any) -> None:
    viewer = member(tenant, owner_engine, "viewer")
    _as(http, viewer)
    assert http.get("/app/stock").status_code == 200
    assert http.get("/app/moves/new/receipt").status_code == 403
    token = _csrf(http, "/app/counts")
    assert http.post("/app/counts", data={"location": stocked["B1"], "_csrf_token": token}).status_code == 403
    assert "Open a count" not in http.get("/app/counts").text


# ---------------------------------------------------------------- in the browser


def _scan(page: Any, code: str) -> None:
    """What a scanner in keyboard mode does: type the code, then Enter."""
    page.focus("#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_storekeeper_receives_by_scanner_sees_the_chart_and_counts_blind(
    browser: Any, live_server: LiveServer, tenant: TenantHandle
) -> None:
    setup_plant(tenant)
    tenant.post("/api/v1/items", json={"sku": GTIN, "name": "Resin drum", "tracking": "lot", "standard_cost": "4"})
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    page = browser_login(browser, base, tenant.email)

    # Receive with the scanner: location, then a GS1 label, then the quantity and Enter.
    page.click("nav >> text=Moves")
    page.click("text=Receive")
    page.wait_for_url(f"{base}/app/moves/new/receipt")
    assert page.evaluate("document.activeElement.id") == "code"  # the code field has the focus
    _scan(page, "b1")
    page.wait_for_function("document.querySelector('[name=to_location]').value === 'B1'")
    _scan(page, f"01{GTIN}17270331" "10LOT-A")
    page.wait_for_function(f"document.querySelector('[name=sku]').value === '{GTIN}'")
    assert page.input_value("[name=lot]") == "LOT-A" and page.input_value("[name=expiry_date]") == "2027-03-31"
    # Everything a receipt needs is there: the cursor waits in the quantity.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.keyboard.type("12")
    page.screenshot(path=str(ARTIFACTS / "receive-scanner.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Receive: 12")
    # The location stays for the next item: scan the item, type, Enter.
    assert page.evaluate("document.activeElement.id") == "code"
    _scan(page, "BOLT")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Receive: 30 BOLT at B1")
    _scan(page, "BOLT")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Receive: 20 BOLT at B1")
    page.click("text=Issue")
    page.wait_for_url(f"{base}/app/moves/new/issue")
    _scan(page, "B1")
    _scan(page, "BOLT")  # right after the location, as fast as a scanner: both are taken
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Issue: 8 BOLT at B1")

    # The item's page: on hand and the balance chart drawn from its history.
    page.click("text=BOLT stock")
    page.wait_for_selector("#balance-chart[data-ready='1']")
    assert page.inner_text("#on-hand").startswith("42")
    points = page.evaluate("Chart.getChart('balance-chart').data.datasets[0].data")
    assert points == [30, 50, 42]
    page.screenshot(path=str(ARTIFACTS / "item-chart.png"), full_page=True)
    page.goto(f"{base}/app/stock")
    page.screenshot(path=str(ARTIFACTS / "stock-tree.png"), full_page=True)

    # A blind count of the zone, on a handheld-sized screen.
    page.set_viewport_size({"width": 412, "height": 900})
    page.goto(f"{base}/app/counts")
    page.select_option("select[name=location]", label="zone Z1 — Zone 1")
    page.click("text=Open count")
    page.wait_for_selector("#count-state")
    assert page.text_content("#count-state") == "open"
    assert "42" not in page.inner_text("main") and "Expected" not in page.content()
    _scan(page, "B1")
    page.wait_for_selector("text=Location B1: now scan the items here.")
    _scan(page, "BOLT")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('count-input')")
    page.keyboard.type("41")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Saved 1 count")
    _scan(page, f"01{GTIN}10LOT-A")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('count-input')")
    page.keyboard.type("12")
    page.screenshot(path=str(ARTIFACTS / "count-entry-handheld.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=2 of 2 lines counted")
    page.click("#submit-count")
    page.wait_for_function("document.querySelector('#count-state').textContent === 'counted'")

    # The owner approves: the review shows the variance, posting adjusts the stock.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#review-link")
    page.wait_for_selector("table.variances")
    assert "-1" in page.inner_text("table.variances tr.loss")
    page.screenshot(path=str(ARTIFACTS / "count-review.png"), full_page=True)
    page.click("#post-count")
    page.wait_for_selector("#posted-note")
    assert page.text_content("#count-state") == "posted"
    assert tenant.get("/api/v1/stock", params={"sku": "BOLT"}).json()["totals"][0]["on_hand"] == "41"
    page.goto(f"{base}/app/moves")
    page.screenshot(path=str(ARTIFACTS / "moves.png"), full_page=True)
    page.set_viewport_size({"width": 412, "height": 900})
    page.goto(f"{base}/app/moves/new/transfer")
    _scan(page, "B1")
    page.wait_for_function("document.querySelector('[name=from_location]').value === 'B1'")
    _scan(page, "B2")
    page.wait_for_function("document.querySelector('[name=to_location]').value === 'B2'")
    _scan(page, "BOLT")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'quantity'")
    assert (page.input_value("[name=from_location]"), page.input_value("[name=to_location]")) == ("B1", "B2")
    page.screenshot(path=str(ARTIFACTS / "transfer-handheld.png"), full_page=True)
    page.close()
