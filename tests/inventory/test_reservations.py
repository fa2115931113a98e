"""Reservations: available = on hand − open reservations; issues consume them; release frees them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core import db
from core.inventory.supply import on_hand_by_item, reserved_by_item, stock_by_lot
from tests.inventory.ledger_support import created, make_item, make_site, move, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "BOLT")
    move(tenant, kind="receipt", sku="BOLT", quantity="10", to_location="B1")
    return tenant


def _reserve(tenant: TenantHandle, **body: Any) -> Any:
    return tenant.post("/api/v1/reservations", json={"location": "B1", **body})


def _stock_row(tenant: TenantHandle, sku: str = "BOLT") -> dict[str, Any]:
    params = {"sku": sku, "location": "B1", "include_zero": "true"}
    row: dict[str, Any] = created(tenant.get("/api/v1/stock", params=params), 200)["items"][0]
    return row


def test_reserve_then_available_drops(site: TenantHandle) -> None:
    reservation = created(_reserve(site, sku="BOLT", quantity="6", reference={"type": "work_order", "id": "WO-1"}))
    assert reservation["remaining"] == "6" and reservation["status"] == "open"
    assert reservation["reference"] == {"type": "work_order", "id": "WO-1"}
    row = _stock_row(site)
    assert (row["on_hand"], row["reserved"], row["available"]) == ("10", "6", "4")
    too_much = _reserve(site, sku="BOLT", quantity="5")
    assert too_much.status_code == 409
    assert (too_much.json()["available"], too_much.json()["requested"]) == ("4", "5")


def test_unreserved_issue_cannot_take_reserved_stock(site: TenantHandle) -> None:
    created(_reserve(site, sku="BOLT", quantity="6"))
    refused = post_move(site, kind="issue", sku="BOLT", quantity="5", from_location="B1")
    assert refused.status_code == 409 and refused.json()["available"] == "4"
    move(site, kind="issue", sku="BOLT", quantity="4", from_location="B1")
    assert _stock_row(site)["available"] == "0"


def test_issue_against_a_reservation_consumes_it(site: TenantHandle) -> None:
    reservation = created(_reserve(site, sku="BOLT", quantity="6"))
    move(site, kind="issue", sku="BOLT", quantity="4", from_location="B1")  # the unreserved 4
    move(site, kind="issue", sku="BOLT", quantity="4", from_location="B1", reservation_id=reservation["id"])
    assert site.get(f"/api/v1/reservations/{reservation['id']}").json()["remaining"] == "2"
    over = post_move(site, kind="issue", sku="BOLT", quantity="3", from_location="B1",
                     reservation_id=reservation["id"])
    assert over.status_code == 409 and (over.json()["available"], over.json()["requested"]) == ("2", "3")
    assert site.get(f"/api/v1/reservations/{reservation['id']}").json()["remaining"] == "2"  # untouched
    move(site, kind="issue", sku="BOLT", quantity="2", from_location="B1", reservation_id=reservation["id"])
    done = site.get(f"/api/v1/reservations/{reservation['id']}").json()
    assert done["status"] == "consumed" and done["remaining"] == "0" and done["closed_at"]
    again = post_move(site, kind="issue", sku="BOLT", quantity="1", from_location="B1",
                      reservation_id=reservation["id"])
    assert again.status_code == 409 and again.json()["field"] == "reservation_id"


def test_a_reservation_may_be_exceeded_from_free_stock(site: TenantHandle) -> None:
    reservation = created(_reserve(site, sku="BOLT", quantity="3"))
    move(site, kind="issue", sku="BOLT", quantity="5", from_location="B1", reservation_id=reservation["id"])
    assert site.get(f"/api/v1/reservations/{reservation['id']}").json()["status"] == "consumed"
    assert _stock_row(site)["available"] == "5"


def test_release_frees_the_rest_once(site: TenantHandle) -> None:
    reservation = created(_reserve(site, sku="BOLT", quantity="10"))
    assert post_move(site, kind="issue", sku="BOLT", quantity="1", from_location="B1").status_code == 409
    released = created(site.post(f"/api/v1/reservations/{reservation['id']}/release"), 200)
    assert released["status"] == "released" and released["closed_by"] == str(site.user_id)
    assert site.post(f"/api/v1/reservations/{reservation['id']}/release").status_code == 409
    move(site, kind="issue", sku="BOLT", quantity="10", from_location="B1")
    missing = "00000000-0000-4000-8000-000000000000"
    assert site.post(f"/api/v1/reservations/{missing}/release").status_code == 404


def test_reservation_must_match_the_issue(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B2")
    reservation = created(_reserve(site, sku="BOLT", quantity="2"))
    elsewhere = post_move(site, kind="issue", sku="BOLT", quantity="1", from_location="B2",
                          reservation_id=reservation["id"])
    assert elsewhere.status_code == 422 and elsewhere.json()["field"] == "from_location"
    unknown = post_move(site, kind="issue", sku="BOLT", quantity="1", from_location="B1",
                        reservation_id="00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 422 and unknown.json()["field"] == "reservation_id"


def test_lot_reservations_pin_a_lot(tenant: TenantHandle) -> None:
    make_site(tenant)
    make_item(tenant, "MILK", tracking="lot")
    move(tenant, kind="receipt", sku="MILK", quantity="3", to_location="B1", lot="OLD")
    move(tenant, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="NEW")
    pinned = created(_reserve(tenant, sku="MILK", quantity="4"))
    assert pinned["lot_code"] == "NEW"  # OLD cannot hold 4
    small = created(_reserve(tenant, sku="MILK", quantity="2"))
    assert small["lot_code"] == "OLD"  # first received that can hold it
    named = created(_reserve(tenant, sku="MILK", quantity="1", lot="NEW"))
    assert named["lot_code"] == "NEW"
    assert _reserve(tenant, sku="MILK", quantity="2", lot="OLD").status_code == 409  # 1 left in OLD
    tenant.patch("/api/v1/lots/OLD", json={"status": "quarantine"})
    blocked = _reserve(tenant, sku="MILK", quantity="1", lot="OLD")
    assert blocked.status_code == 409 and blocked.json()["field"] == "lot"
    issue = move(tenant, kind="issue", sku="MILK", quantity="4", from_location="B1", reservation_id=pinned["id"])
    assert issue["lot_code"] == "NEW"


def test_list_and_filters(site: TenantHandle) -> None:
    created(_reserve(site, sku="BOLT", quantity="1", reference={"type": "work_order", "id": "WO-1"}))
    other = created(_reserve(site, sku="BOLT", quantity="2"))
    site.post(f"/api/v1/reservations/{other['id']}/release")
    assert site.get("/api/v1/reservations").json()["total"] == 2
    assert site.get("/api/v1/reservations", params={"status": "open"}).json()["total"] == 1
    assert site.get("/api/v1/reservations", params={"reference_type": "work_order",
                                                    "reference_id": "WO-1"}).json()["total"] == 1
    assert site.get("/api/v1/reservations", params={"sku": "BOLT", "location": "B1"}).json()["total"] == 2


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"sku": "BOLT", "quantity": "0"}, "quantity", 422),
    ({"sku": "BOLT", "quantity": "x"}, "quantity", 400),
    ({"sku": "NOPE", "quantity": "1"}, "sku", 422),
    ({"sku": "BOLT", "quantity": "1", "location": "NOWHERE"}, "location", 422),
    ({"sku": "BOLT", "quantity": "1", "lot": "L1"}, "lot", 422),
    ({"sku": "BOLT", "quantity": "1", "reference": {"type": "", "id": "1"}}, "reference", 422),
    ({"sku": "BOLT", "quantity": "1", "colour": "red"}, "colour", 400),
])
def test_bad_reservation_input(site: TenantHandle, body: dict[str, Any], field: str, status: int) -> None:
    answer = _reserve(site, **body)
    assert answer.status_code == status and answer.json()["field"] == field, answer.text
    assert site.get("/api/v1/reservations").json()["total"] == 0


def test_supply_interface(site: TenantHandle) -> None:
    make_item(site, "MILK", tracking="lot")
    move(site, kind="receipt", sku="MILK", quantity="2", to_location="WH2", lot="L1", expiry_date="2031-01-01")
    created(_reserve(site, sku="BOLT", quantity="3"))
    with db.tenant_session(site.tenant_id) as session:
        by_lot = stock_by_lot(session, site.tenant_id)
        on_hand = on_hand_by_item(session, site.tenant_id)
        reserved = reserved_by_item(session, site.tenant_id)
        in_plant = on_hand_by_item(session, site.tenant_id, site.plant_id)
        elsewhere = on_hand_by_item(session, site.tenant_id, site.tenant_id)  # no such plant
    milk = next(s for s in by_lot if s.lot_code == "L1")
    assert milk.quantity == 2 and milk.status == "available" and str(milk.expiry_date) == "2031-01-01"
    assert sorted(on_hand.values()) == [Decimal(2), Decimal(10)] and in_plant == on_hand and elsewhere == {}
    assert list(reserved.values()) == [Decimal(3)]


def test_racing_reservations_and_issues_never_oversell(site: TenantHandle, live_server: Any) -> None:
    import threading

    import httpx

    start = threading.Barrier(12)
    done: list[str] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=live_server.url, headers=site.headers, timeout=60) as http:
            start.wait()
            for i in range(3):
                if n % 2:
                    answer = http.post("/api/v1/reservations", json={"sku": "BOLT", "location": "B1", "quantity": 1})
                else:
                    answer = http.post("/api/v1/stock-moves", json={
                        "kind": "issue", "sku": "BOLT", "quantity": 1, "from_location": "B1",
                        "idempotency_key": f"race-{n}-{i}"})
                assert answer.status_code in (201, 409), answer.text
                if answer.status_code == 201:
                    done.append("reserve" if n % 2 else "issue")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) == 10  # 36 attempts for 10 units: exactly 10 succeed
    row = _stock_row(site)
    assert Decimal(row["on_hand"]) == 10 - done.count("issue")
    assert Decimal(row["reserved"]) == done.count("reserve") and row["available"] == "0"
