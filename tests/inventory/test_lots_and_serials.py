"""Lots (creation on receipt, status, expiry, FIFO allocation, trace) and serial units."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from tests.inventory.ledger_support import created, make_item, make_site, move, on_hand, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "MILK", tracking="lot", shelf_life_days=10)
    make_item(tenant, "PUMP", tracking="serial", standard_cost="100")
    make_item(tenant, "BOLT")
    return tenant


def test_receipt_creates_the_lot_with_expiry_and_supplier_lot(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="L1",
         expiry_date="2031-01-31", supplier_lot="SUP-9")
    lot = created(site.get("/api/v1/lots/L1"), 200)
    assert lot["sku"] == "MILK" and lot["expiry_date"] == "2031-01-31" and lot["supplier_lot"] == "SUP-9"
    assert lot["status"] == "available" and lot["on_hand"] == "5"
    move(site, kind="receipt", sku="MILK", quantity="2", to_location="B2", lot="L1")  # same lot again
    assert site.get("/api/v1/lots/L1").json()["on_hand"] == "7"
    clash = post_move(site, kind="receipt", sku="MILK", quantity="1", to_location="B1", lot="L1",
                      expiry_date="2031-02-01")
    assert clash.status_code == 422 and clash.json()["field"] == "expiry_date"
    move(site, kind="receipt", sku="MILK", quantity="1", to_location="B1", lot="L2")
    default = site.get("/api/v1/lots/L2").json()["expiry_date"]
    assert default == (date.today() + timedelta(days=10)).isoformat()  # from the shelf life


@pytest.mark.parametrize(("body", "field"), [
    ({"sku": "MILK"}, "lot"),                                   # lot-tracked: lot required
    ({"sku": "BOLT", "lot": "L1"}, "lot"),                      # untracked: no lot
    ({"sku": "BOLT", "expiry_date": "2031-01-01"}, "expiry_date"),
    ({"sku": "BOLT", "serials": ["S1"]}, "serials"),            # untracked: no serials
    ({"sku": "PUMP", "serials": ["S1", "S2"]}, "serials"),     # one serial per unit
    ({"sku": "PUMP", "quantity": "1.5", "serials": ["S1"]}, "quantity"),
])
def test_tracking_rules(site: TenantHandle, body: dict[str, Any], field: str) -> None:
    answer = post_move(site, **{"kind": "receipt", "quantity": "1", "to_location": "B1", **body})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


def test_lot_code_is_unique_per_item_not_per_tenant(site: TenantHandle) -> None:
    make_item(site, "CREAM", tracking="lot")
    move(site, kind="receipt", sku="MILK", quantity="1", to_location="B1", lot="SHARED")
    move(site, kind="receipt", sku="CREAM", quantity="2", to_location="B1", lot="SHARED")
    ambiguous = site.get("/api/v1/lots/SHARED")
    assert ambiguous.status_code == 422 and ambiguous.json()["field"] == "sku"
    assert site.get("/api/v1/lots/SHARED", params={"sku": "CREAM"}).json()["on_hand"] == "2"
    assert site.get("/api/v1/lots", params={"sku": "MILK"}).json()["total"] == 1
    assert site.get("/api/v1/lots/NOPE").status_code == 404


def test_status_change_is_recorded_and_blocks_issues(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="L1")
    changed = created(site.patch("/api/v1/lots/L1", json={"status": "quarantine"}), 200)
    assert changed["status"] == "quarantine" and changed["status_changed_by"] == str(site.user_id)
    assert changed["status_changed_at"] is not None
    assert site.get("/api/v1/lots", params={"status": "quarantine"}).json()["total"] == 1
    refused = post_move(site, kind="issue", sku="MILK", quantity="1", from_location="B1", lot="L1")
    assert refused.status_code == 409 and refused.json()["field"] == "lot"
    # A quarantined lot may still be moved (to a quarantine area) or scrapped.
    move(site, kind="transfer", sku="MILK", quantity="2", from_location="B1", to_location="WH2", lot="L1")
    move(site, kind="scrap", sku="MILK", quantity="1", from_location="WH2", lot="L1")
    bad = site.patch("/api/v1/lots/L1", json={"status": "lost"})
    assert bad.status_code == 400 and bad.json()["field"] == "status"
    assert site.patch("/api/v1/lots/L1", json={"expiry_date": "2030-05-01"}).json()["expiry_date"] == "2030-05-01"


def test_issue_without_lot_takes_the_first_received_lots(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="OLD")
    move(site, kind="receipt", sku="MILK", quantity="3", to_location="B1", lot="NEW")
    posted = move(site, kind="issue", sku="MILK", quantity="7", from_location="B1")
    assert [(m["lot_code"], m["quantity"]) for m in posted["moves"]] == [("OLD", "5"), ("NEW", "2")]
    assert len({m["batch_id"] for m in posted["moves"]}) == 1
    assert on_hand(site, "MILK", lot="OLD") == 0 and on_hand(site, "MILK", lot="NEW") == 1
    repeat = post_move(site, kind="issue", sku="MILK", quantity="7", from_location="B1",
                       idempotency_key=posted["idempotency_key"])
    assert repeat.status_code == 200 and [m["id"] for m in repeat.json()["moves"]] == \
        [m["id"] for m in posted["moves"]]
    short = post_move(site, kind="issue", sku="MILK", quantity="2", from_location="B1")
    assert short.status_code == 409 and short.json()["available"] == "1"


def test_expired_lots_are_not_taken(site: TenantHandle) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="STALE", expiry_date=yesterday)
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="FRESH")
    posted = move(site, kind="issue", sku="MILK", quantity="2", from_location="B1")
    assert posted["lot_code"] == "FRESH"  # allocation never picks a lot past its date
    # Naming a lot past its date is the trade's call: core allows it (the food plugin
    # refuses it unless it is spoilage); a lot whose status is expired is refused.
    stale = post_move(site, kind="issue", sku="MILK", quantity="1", from_location="B1", lot="STALE")
    assert stale.status_code == 201, stale.text
    assert site.patch("/api/v1/lots/STALE", json={"status": "expired"}).status_code == 200
    marked = post_move(site, kind="issue", sku="MILK", quantity="1", from_location="B1", lot="STALE")
    assert marked.status_code == 409 and "expired" in marked.json()["detail"]


def test_trace_lists_every_move_of_the_lot_in_order(site: TenantHandle) -> None:
    receipt = move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="L1")
    move(site, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="L2")
    move(site, kind="transfer", sku="MILK", quantity="2", from_location="B1", to_location="WH2", lot="L1")
    issue = move(site, kind="issue", sku="MILK", quantity="1", from_location="WH2", lot="L1",
                 reference={"type": "customer_order", "id": "SO-1"})
    trace = created(site.get("/api/v1/lots/L1/trace"), 200)
    assert trace["lot"]["code"] == "L1" and trace["lot"]["on_hand"] == "4"
    assert [m["kind"] for m in trace["moves"]] == ["receipt", "transfer", "issue"]
    assert trace["moves"][0]["id"] == receipt["id"] and trace["moves"][-1]["id"] == issue["id"]
    assert trace["moves"][-1]["reference"] == {"type": "customer_order", "id": "SO-1"}


def test_lot_of_another_item_is_refused_by_the_database(site: TenantHandle, owner_engine: Any) -> None:
    move(site, kind="receipt", sku="MILK", quantity="1", to_location="B1", lot="L1")
    with owner_engine.connect() as conn:
        lot_id = conn.execute(text("SELECT id FROM lot WHERE code = 'L1'")).scalar_one()
        bolt = conn.execute(text("SELECT id FROM item WHERE sku = 'BOLT' AND tenant_id = :t"),
                            {"t": site.tenant_id}).scalar_one()
        loc = conn.execute(text("SELECT id FROM location WHERE code = 'B1' AND tenant_id = :t"),
                           {"t": site.tenant_id}).scalar_one()
        with pytest.raises(Exception, match="foreign key"):
            conn.execute(text(
                "INSERT INTO stock_balance (tenant_id, id, item_id, location_id, lot_id, quantity) "
                "VALUES (:t, gen_random_uuid(), :i, :l, :lot, 1)"),
                {"t": site.tenant_id, "i": bolt, "l": loc, "lot": lot_id})


def test_serials_are_in_one_place_only(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="PUMP", quantity="3", to_location="B1", serials=["P1", "P2", "P3"])
    twice = post_move(site, kind="receipt", sku="PUMP", quantity="1", to_location="B2", serials=["P2"])
    assert twice.status_code == 409 and "P2" in twice.json()["detail"]
    elsewhere = post_move(site, kind="issue", sku="PUMP", quantity="1", from_location="B2", serials=["P1"])
    assert elsewhere.status_code == 409  # B2 has no stock at all
    move(site, kind="transfer", sku="PUMP", quantity="1", from_location="B1", to_location="B2", serials=["P1"])
    wrong = post_move(site, kind="issue", sku="PUMP", quantity="1", from_location="B2", serials=["P3"])
    assert wrong.status_code == 409 and wrong.json()["field"] == "serials" and "P3" in wrong.json()["detail"]
    issued = move(site, kind="issue", sku="PUMP", quantity="1", from_location="B2", serials=["P1"])
    serials = {s["serial"]: s for s in site.get("/api/v1/serials", params={"sku": "PUMP"}).json()["items"]}
    assert serials["P1"]["in_stock"] is False and serials["P2"]["location_code"] == "B1"
    assert site.get("/api/v1/serials", params={"location": "WH", "in_stock": "true"}).json()["total"] == 2
    created(site.post(f"/api/v1/stock-moves/{issued['id']}/reverse", json={"idempotency_key": "back"}))
    serials = {s["serial"]: s for s in site.get("/api/v1/serials", params={"sku": "PUMP"}).json()["items"]}
    assert serials["P1"]["location_code"] == "B2"
    # an issued serial may come back in (a return), once
    move(site, kind="issue", sku="PUMP", quantity="1", from_location="B1", serials=["P3"])
    move(site, kind="receipt", sku="PUMP", quantity="1", to_location="B1", serials=["P3"])
    assert on_hand(site, "PUMP") == Decimal(3)
