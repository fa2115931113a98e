"""Picking FEFO or FIFO per item, the expired-issue rule with its spoilage exception,
and the lot's expiry at receipt from a typed date, a GS1 label or the shelf life.
A tenant without the plugin keeps core's behaviour."""

from __future__ import annotations

import re

import httpx

from tests.food_fifo.support import created, days, move, post_move, receive, setup_dairy
from tests.support import TenantHandle


def _stock_three_lots(tenant: TenantHandle) -> None:
    # Received first but expiring last: FIFO and FEFO disagree about it.
    receive(tenant, "MILK", "OLD-LATE", "10", days(9))
    receive(tenant, "MILK", "NEW-SOON", "10", days(3))
    receive(tenant, "MILK", "NEW-MID", "10", days(5))


def test_fefo_by_default_fifo_where_set(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    _stock_three_lots(tenant)
    fefo = move(tenant, kind="issue", sku="MILK", quantity="15", from_location="COLD")
    assert [(m["lot_code"], m["quantity"]) for m in fefo["moves"]] == [("NEW-SOON", "10"), ("NEW-MID", "5")]
    assert tenant.request("PUT", "/api/v1/food/policies/MILK", json={"policy": "fifo"}).status_code == 200
    fifo = move(tenant, kind="issue", sku="MILK", quantity="12", from_location="COLD")
    assert [(m["lot_code"], m["quantity"]) for m in fifo["moves"]] == [("OLD-LATE", "10"), ("NEW-MID", "2")]
    policies = {p["sku"]: p["policy"] for p in tenant.get("/api/v1/food/policies").json()["items"]}
    assert policies == {"CULTURE": "fefo", "MILK": "fifo", "YOG": "fefo"}
    for body, field, status in [({"policy": "lifo"}, "policy", 400),
                                ({"policy": "fifo"}, "sku", 422)]:  # BOTTLE has no lots
        bad = tenant.request("PUT", "/api/v1/food/policies/BOTTLE", json=body)
        assert bad.status_code == status, bad.text
        if status == 422:
            assert bad.json()["field"] == field
    assert tenant.request("PUT", "/api/v1/food/policies/NOPE", json={"policy": "fifo"}).status_code == 404


def test_same_stock_is_picked_fifo_without_the_plugin(other_tenant: TenantHandle) -> None:
    setup_dairy(other_tenant, food=False)
    _stock_three_lots(other_tenant)
    posted = move(other_tenant, kind="issue", sku="MILK", quantity="15", from_location="COLD")
    assert [m["lot_code"] for m in posted["moves"]] == ["OLD-LATE", "NEW-SOON"]  # core: first received first
    assert other_tenant.get("/api/v1/food/policies").status_code == 403


def test_pick_lists_for_an_issue_and_a_batch(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    _stock_three_lots(tenant)
    receive(tenant, "MILK", "LINE-SOONEST", "4", days(1), location="LINE")
    receive(tenant, "MILK", "STALE", "50", days(-1))
    receive(tenant, "CULTURE", "C1", "1", days(60))
    pick = created(tenant.get("/api/v1/food/pick-lists/issue", params={"sku": "MILK", "quantity": "16"}), 200)
    assert [(ln["lot"], ln["location"], ln["quantity"]) for ln in pick["lines"]] == [
        ("LINE-SOONEST", "LINE", "4"), ("NEW-SOON", "COLD", "10"), ("NEW-MID", "COLD", "2")]
    assert pick["short"] == "0" and pick["policy"] == "fefo"
    # Picked for a day four days out, the lots that expire before then are left out.
    later = created(tenant.get("/api/v1/food/pick-lists/issue",
                               params={"sku": "MILK", "quantity": "40", "on": days(4)}), 200)
    assert [ln["lot"] for ln in later["lines"]] == ["NEW-MID", "OLD-LATE"] and later["short"] == "20"
    batch = created(tenant.get("/api/v1/food/pick-lists/batch", params={"sku": "YOG", "quantity": "20"}), 200)
    by_sku = {p["sku"]: p for p in batch["items"]}
    assert [(ln["lot"], ln["quantity"]) for ln in by_sku["MILK"]["lines"]] == [("LINE-SOONEST", "4"),
                                                                              ("NEW-SOON", "10"), ("NEW-MID", "4")]
    assert by_sku["CULTURE"]["lines"][0]["quantity"] == "0.2"
    for params, status in [({"sku": "MILK", "quantity": "0"}, 422), ({"sku": "MILK", "quantity": "abc"}, 400),
                           ({"sku": "NOPE", "quantity": "1"}, 404), ({"sku": "BOTTLE", "quantity": "1"}, 422)]:
        assert tenant.get("/api/v1/food/pick-lists/issue", params=params).status_code == status, params
    assert tenant.get("/api/v1/food/pick-lists/batch", params={"sku": "MILK", "quantity": "1"}).status_code == 422


def test_issuing_an_expired_lot_is_refused_unless_spoilage(tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    setup_dairy(other_tenant, food=False)
    yesterday = days(-1)
    for who in (tenant, other_tenant):
        receive(who, "MILK", "STALE", "10", yesterday)
    refused = post_move(tenant, kind="issue", sku="MILK", quantity="2", from_location="COLD", lot="STALE",
                        reason="production")
    assert refused.status_code == 409
    assert f"lot STALE of MILK expired on {yesterday}" in refused.json()["detail"]
    spoiled = post_move(tenant, kind="issue", sku="MILK", quantity="2", from_location="COLD", lot="STALE",
                        reason="Spoilage: sour")
    assert spoiled.status_code == 201, spoiled.text
    # Without the plugin, core lets the same move through.
    allowed = post_move(other_tenant, kind="issue", sku="MILK", quantity="2", from_location="COLD", lot="STALE",
                        reason="production")
    assert allowed.status_code == 201, allowed.text
    # Scrapping and moving an expired lot is not an issue: allowed with any reason.
    assert post_move(tenant, kind="transfer", sku="MILK", quantity="1", from_location="COLD",
                     to_location="LINE", lot="STALE").status_code == 201
    assert post_move(tenant, kind="scrap", sku="MILK", quantity="1", from_location="COLD", lot="STALE",
                     reason="dropped").status_code == 201


def test_expiry_at_receipt_from_three_sources(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    gtin = "09506000134352"
    assert tenant.post("/api/v1/items", json={"sku": gtin, "name": "Cream", "tracking": "lot",
                                              "shelf_life_days": 5}).status_code == 201

    def food_receipt(key: str, **body: object) -> httpx.Response:
        return tenant.post("/api/v1/food/receipts", json={"quantity": "5", "to_location": "COLD",
                                                          "idempotency_key": key, **body})

    given = created(food_receipt("r1", sku="MILK", lot="M-GIVEN", expiry_date="2031-03-01"))
    assert (given["expiry_date"], given["expiry_source"]) == ("2031-03-01", "given")
    scanned = created(food_receipt("r2", code=f"01{gtin}17310415" "10CR-7"))
    assert (scanned["move"]["sku"], scanned["move"]["lot_code"]) == (gtin, "CR-7")
    assert (scanned["expiry_date"], scanned["expiry_source"]) == ("2031-04-15", "gs1")
    shelf = created(food_receipt("r3", sku="MILK", lot="M-SHELF"))
    assert (shelf["expiry_date"], shelf["expiry_source"]) == (days(10), "shelf_life")
    again = food_receipt("r3", sku="MILK", lot="M-SHELF")
    assert again.status_code == 200 and again.json()["move"]["id"] == shelf["move"]["id"]
    assert tenant.get("/api/v1/lots/CR-7").json()["expiry_date"] == "2031-04-15"
    for body, field in [({"code": f"01{gtin}17310415" "10CR-8", "expiry_date": "2031-05-01"}, "expiry_date"),
                        ({"code": f"01{gtin}17310415" "10CR-8", "lot": "OTHER"}, "lot"),
                        ({"code": f"01{gtin}17310415" "10CR-8", "sku": "MILK"}, "sku"),
                        ({"code": "NOT-A-LABEL", "sku": "MILK", "lot": "X"}, "code"),
                        ({"code": "0109506000134351"}, "code"),  # wrong check digit
                        ({"sku": "MILK"}, "lot"), ({"lot": "X"}, "sku"),
                        ({"sku": "MILK", "lot": "M-GIVEN", "expiry_date": "2031-03-02"}, "expiry_date")]:
        bad = food_receipt("bad", **body)
        assert bad.status_code == 422 and bad.json()["field"] == field, (body, bad.text)
    assert tenant.get("/api/v1/lots", params={"sku": "MILK"}).json()["total"] == 2  # nothing half-written


def test_scanner_receive_page_books_the_labels_expiry(http: httpx.Client, tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    gtin = "09506000134352"
    assert tenant.post("/api/v1/items", json={"sku": gtin, "name": "Cream", "tracking": "lot",
                                              "shelf_life_days": 5}).status_code == 201
    http.cookies.set("plantops_session", tenant.token)
    form = http.get("/app/moves/new/receipt").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
    assert token, form[:500]
    filled = http.post("/app/moves/new/receipt/scan", data={"code": f"01{gtin}17310630" "10CR-9",
                                                            "to_location": "COLD"},
                       headers={"x-csrftoken": token.group(1), "hx-request": "true"})
    expiry = re.search(r'name="expiry_date" type="date" value="([0-9-]+)"', filled.text)
    assert expiry and expiry.group(1) == "2031-06-30"
    posted = http.post("/app/moves/new/receipt", data={
        "sku": gtin, "lot": "CR-9", "expiry_date": expiry.group(1), "quantity": "3", "to_location": "COLD",
        "idempotency_key": "page-r1", "_csrf_token": token.group(1)})
    assert posted.status_code == 200, posted.text
    assert tenant.get("/api/v1/lots/CR-9").json()["expiry_date"] == "2031-06-30"
