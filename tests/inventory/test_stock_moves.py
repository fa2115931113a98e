"""Stock moves over the API: every kind and its reversal, reads, filters and history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.inventory.ledger_support import created, make_item, make_site, move, on_hand, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "BOLT", standard_cost="2.5")
    return tenant


def test_receipt_by_code_and_by_id_then_read_back(site: TenantHandle) -> None:
    first = move(site, kind="receipt", sku="BOLT", quantity="10", to_location="b1", unit_cost="3")
    assert first["kind"] == "receipt" and first["quantity"] == "10" and first["to_location_code"] == "B1"
    assert first["total_cost"] == "30" and first["moves"][0]["id"] == first["id"]
    b1 = site.get("/api/v1/locations", params={"q": "B1"}).json()["items"][0]
    second = move(site, kind="receipt", sku="BOLT", quantity=2.5, to_location=b1["id"])
    assert second["unit_cost"] == "2.5" and second["total_cost"] == "6.25"  # standard cost by default
    got = created(site.get(f"/api/v1/stock-moves/{first['id']}"), 200)
    assert got == {k: v for k, v in first.items() if k != "moves"}
    assert on_hand(site, "BOLT") == Decimal("12.5")


def test_every_kind_moves_the_balances(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="100", to_location="B1")
    move(site, kind="transfer", sku="BOLT", quantity="30", from_location="B1", to_location="WH2")
    move(site, kind="issue", sku="BOLT", quantity="20", from_location="B1")
    move(site, kind="scrap", sku="BOLT", quantity="5", from_location="WH2", reason="dropped")
    move(site, kind="adjustment", sku="BOLT", quantity="2", to_location="B2", reason="count")
    move(site, kind="adjustment", sku="BOLT", quantity="1", from_location="B1", reason="count")
    assert on_hand(site, "BOLT", "B1") == 49
    assert on_hand(site, "BOLT", "B2") == 2
    assert on_hand(site, "BOLT", "WH2") == 25
    assert on_hand(site, "BOLT", "WH") == 51  # the warehouse includes its zone and bins
    assert on_hand(site, "BOLT") == 76


@pytest.mark.parametrize(("kind", "places"), [
    ("receipt", {"to_location": "B1"}),
    ("issue", {"from_location": "B1"}),
    ("transfer", {"from_location": "B1", "to_location": "B2"}),
    ("adjustment", {"to_location": "B2"}),
    ("adjustment", {"from_location": "B1"}),
    ("scrap", {"from_location": "B1"}),
])
def test_each_kind_reverses_to_where_it_started(site: TenantHandle, kind: str, places: dict[str, str]) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="50", to_location="B1", unit_cost="4")
    before = {code: on_hand(site, "BOLT", code) for code in ("B1", "B2")}
    value_before = site.get("/api/v1/valuation").json()["total_value"]
    original = move(site, kind=kind, sku="BOLT", quantity="7", **places)
    reversal = created(site.post(f"/api/v1/stock-moves/{original['id']}/reverse",
                                 json={"idempotency_key": f"rev-{original['id']}", "reason": "typo"}))
    assert reversal["kind"] == kind and reversal["reverses_move_id"] == original["id"]
    assert reversal["from_location_id"] == original["to_location_id"]
    assert reversal["to_location_id"] == original["from_location_id"]
    assert reversal["total_cost"] == original["total_cost"]
    if kind != "receipt":
        assert {code: on_hand(site, "BOLT", code) for code in ("B1", "B2")} == before
        assert site.get("/api/v1/valuation").json()["total_value"] == value_before
    assert site.get(f"/api/v1/stock-moves/{original['id']}").json()["reversed_by_move_id"] == reversal["id"]
    again = site.post(f"/api/v1/stock-moves/{original['id']}/reverse", json={"idempotency_key": "other"})
    assert again.status_code == 409 and again.json()["field"] == "move_id"
    of_reversal = site.post(f"/api/v1/stock-moves/{reversal['id']}/reverse", json={"idempotency_key": "x"})
    assert of_reversal.status_code == 409


def test_reversal_is_idempotent_and_needs_a_key(site: TenantHandle) -> None:
    original = move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B1")
    path = f"/api/v1/stock-moves/{original['id']}/reverse"
    missing = site.post(path, json={})
    assert missing.status_code == 422 and missing.json()["field"] == "idempotency_key"
    first = site.post(path, json={"idempotency_key": "undo-1"})
    repeat = site.post(path, json={"idempotency_key": "undo-1"})
    assert first.status_code == 201 and repeat.status_code == 200
    assert repeat.json()["id"] == first.json()["id"]
    assert site.post(path, json={"idempotency_key": "undo-1", "reason": "else"}).status_code == 409
    assert on_hand(site, "BOLT") == 0


def test_reversing_a_receipt_whose_stock_is_gone_is_refused(site: TenantHandle) -> None:
    receipt = move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B1")
    move(site, kind="issue", sku="BOLT", quantity="4", from_location="B1")
    answer = site.post(f"/api/v1/stock-moves/{receipt['id']}/reverse", json={"idempotency_key": "u"})
    assert answer.status_code == 409 and answer.json()["available"] == "1"
    assert on_hand(site, "BOLT") == 1


def test_unknown_move_is_404(site: TenantHandle) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert site.get(f"/api/v1/stock-moves/{missing}").status_code == 404
    assert site.post(f"/api/v1/stock-moves/{missing}/reverse", json={"idempotency_key": "k"}).status_code == 404


def test_list_filters_and_pagination(site: TenantHandle) -> None:
    make_item(site, "NUT")
    move(site, kind="receipt", sku="BOLT", quantity="10", to_location="B1",
         reference={"type": "purchase_order", "id": "PO-1"})
    move(site, kind="receipt", sku="NUT", quantity="10", to_location="WH2")
    move(site, kind="issue", sku="BOLT", quantity="3", from_location="B1",
         reference={"type": "work_order", "id": 7})
    move(site, kind="transfer", sku="BOLT", quantity="2", from_location="B1", to_location="WH2")

    def count(**params: str) -> int:
        answer = site.get("/api/v1/stock-moves", params=params)
        assert answer.status_code == 200, answer.text
        total: int = answer.json()["total"]
        return total

    assert count() == 4
    assert count(sku="BOLT") == 3
    assert count(kind="issue") == 1
    assert count(location="WH") == 3  # B1 lies under WH
    assert count(location="WH2") == 2
    assert count(reference_type="work_order", reference_id="7") == 1
    assert count(**{"from": "2000-01-01", "to": "2999-12-31"}) == 4
    assert count(**{"to": "2000-01-01"}) == 0
    page = site.get("/api/v1/stock-moves", params={"limit": 2, "offset": 1}).json()
    assert len(page["items"]) == 2 and page["items"][0]["kind"] == "issue"  # newest first
    assert site.get("/api/v1/stock-moves", params={"sku": "NOPE"}).status_code == 404
    assert site.get("/api/v1/stock-moves", params={"from": "yesterday"}).json()["field"] == "from"


def test_item_history_has_a_running_balance(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="10", to_location="B1")
    move(site, kind="transfer", sku="BOLT", quantity="4", from_location="B1", to_location="WH2")
    move(site, kind="issue", sku="BOLT", quantity="3", from_location="WH2")
    move(site, kind="receipt", sku="BOLT", quantity="1", to_location="B2")
    whole = created(site.get("/api/v1/items/BOLT/history"), 200)
    assert [(m["kind"], m["change"], m["balance"]) for m in whole["items"]] == [
        ("receipt", "10", "10"), ("transfer", "0", "10"), ("issue", "-3", "7"), ("receipt", "1", "8")]
    wh2 = created(site.get("/api/v1/items/BOLT/history", params={"location": "WH2"}), 200)
    assert [(m["change"], m["balance"]) for m in wh2["items"]] == [("4", "4"), ("-3", "1")]
    wh = created(site.get("/api/v1/items/BOLT/history", params={"location": "WH"}), 200)
    assert [m["balance"] for m in wh["items"]] == ["10", "6", "7"]
    paged = created(site.get("/api/v1/items/BOLT/history", params={"offset": 2, "limit": 1}), 200)
    assert paged["total"] == 4 and [m["balance"] for m in paged["items"]] == ["7"]
    assert site.get("/api/v1/items/NOPE/history").status_code == 404


def test_viewer_reads_but_cannot_post(site: TenantHandle, owner_engine: Any) -> None:
    from sqlalchemy import text

    move(site, kind="receipt", sku="BOLT", quantity="1", to_location="B1")
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE membership SET role = 'viewer' WHERE user_id = :u"), {"u": site.user_id})
    assert site.get("/api/v1/stock-moves").status_code == 200
    assert post_move(site, kind="receipt", sku="BOLT", quantity="1", to_location="B1").status_code == 403
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE membership SET role = 'storekeeper' WHERE user_id = :u"), {"u": site.user_id})
    assert post_move(site, kind="receipt", sku="BOLT", quantity="1", to_location="B1").status_code == 201


def test_tracking_cannot_change_once_an_item_has_moves(site: TenantHandle) -> None:
    make_item(site, "NEWPART")
    changed = site.patch("/api/v1/items/NEWPART", json={"tracking": "lot"})
    assert changed.status_code == 200 and changed.json()["tracking"] == "lot"  # no history yet
    move(site, kind="receipt", sku="BOLT", quantity="1", to_location="b1")
    refused = site.patch("/api/v1/items/BOLT", json={"tracking": "lot", "name": "Bolt renamed"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "tracking" and "stock moves" in refused.json()["detail"]
    assert site.get("/api/v1/items/BOLT").json()["name"] != "Bolt renamed"  # nothing saved
