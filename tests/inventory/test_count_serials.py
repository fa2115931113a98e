"""Cycle counts of serial-tracked items over real HTTP: scanning serials blind, missing and
found serials in the review, posting them as adjustments and transfers through the ledger,
and entries refused naming the field with nothing stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from tests.inventory.counts_support import add_pumps, balance, post, setup_plant
from tests.support import TenantHandle

D = Decimal


@pytest.fixture
def plant(tenant: TenantHandle) -> dict[str, Any]:
    """PUMP (serial, 100.00): S1..S3 at B1 and S4 at B2; BOLT at B1."""
    ids = setup_plant(tenant)
    add_pumps(tenant, ids)
    post(tenant, "receipt", "BOLT", "10", to_location="B1")
    return ids


def _line(count: dict[str, Any], sku: str, location: str) -> str:
    return next(x["id"] for x in count["lines"] if (x["sku"], x["location_code"]) == (sku, location))


def _moves_of(owner_engine: Any, count_id: str) -> list[Any]:
    with owner_engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT kind, quantity, from_location_id::text AS source, to_location_id::text AS target, serials, "
            "reason, total_cost, idempotency_key FROM stock_move "
            "WHERE reference_type = 'cycle_count' AND reference_id = :c ORDER BY seq"), {"c": count_id}))


def _serial_places(tenant: TenantHandle) -> dict[str, str | None]:
    rows = tenant.get("/api/v1/serials", params={"sku": "PUMP"}).json()["items"]
    return {x["serial"]: x["location_code"] for x in rows}


def _ledger_agrees(owner_engine: Any, tenant: TenantHandle, item_id: str) -> None:
    """Each balance is the sum of the moves, and the number of the serials placed there."""
    with owner_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT b.location_id, b.quantity, "
            "  (SELECT coalesce(sum(CASE WHEN m.to_location_id = b.location_id THEN m.quantity"
            "                            ELSE -m.quantity END), 0)"
            "     FROM stock_move m WHERE m.tenant_id = b.tenant_id AND m.item_id = b.item_id"
            "      AND b.location_id IN (m.from_location_id, m.to_location_id)) AS moved, "
            "  (SELECT count(*) FROM serial_number s WHERE s.tenant_id = b.tenant_id AND s.item_id = b.item_id"
            "      AND s.location_id = b.location_id) AS serials "
            "FROM stock_balance b WHERE b.tenant_id = :t AND b.item_id = :i"),
            {"t": tenant.tenant_id, "i": item_id}).all()
    assert rows and all(qty == moved == serials for _loc, qty, moved, serials in rows), rows


def test_serials_scanned_reviewed_and_posted(tenant: TenantHandle, plant: dict[str, Any],
                                             owner_engine: Any) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "B1"}).json()
    line_id = _line(count, "PUMP", "B1")
    pump = next(x for x in count["lines"] if x["id"] == line_id)
    assert pump["serial_tracked"] is True and pump["counted_serials"] is None
    entered = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [
        {"line_id": line_id, "serials": [" S1 ", "S2", "S4", "S9"]},
        {"line_id": _line(count, "BOLT", "B1"), "counted": "10"},
    ]})
    assert entered.status_code == 200, entered.text
    counted = next(x for x in entered.json()["lines"] if x["id"] == line_id)
    assert counted["counted_qty"] == "4" and counted["counted_serials"] == ["S1", "S2", "S4", "S9"]
    # Blind: the counter never sees the book's serials (S3 is on the book at B1).
    for answer in (entered, tenant.get(f"/api/v1/counts/{count['id']}")):
        assert "S3" not in answer.text and "book_serials" not in answer.text and "missing" not in answer.text
    assert tenant.post(f"/api/v1/counts/{count['id']}/submit").status_code == 200

    review = tenant.get(f"/api/v1/counts/{count['id']}/variances").json()
    line = next(x for x in review["lines"] if x["id"] == line_id)
    assert (line["book_qty"], line["counted_qty"], line["variance_qty"]) == ("3", "4", "1")
    assert (line["missing_serials"], line["found_serials"]) == (["S3"], ["S4", "S9"])
    assert line["found_serials_from"] == {"S4": "B2"}  # misplaced: moved, not gained
    bolt = next(x for x in review["lines"] if x["sku"] == "BOLT")
    assert bolt["missing_serials"] is None and bolt["found_serials"] is None
    # S3 out (−100) and S9 in (+100); S4 is a transfer and has no value.
    assert (line["variance_value"], review["gain_value"], review["loss_value"]) == ("0", "100", "100")
    assert review["lines_with_variance"] == 1

    posted = tenant.post(f"/api/v1/counts/{count['id']}/post")
    assert posted.status_code == 200, posted.text
    key = f"cycle-count:{count['id']}:{line_id}"
    moves = _moves_of(owner_engine, count["id"])
    assert [(m.kind, m.quantity, m.source, m.target, m.serials, m.reason, m.idempotency_key) for m in moves] == [
        ("transfer", D(1), plant["B2"], plant["B1"], ["S4"], "count", f"{key}:from:{plant['B2']}"),
        ("adjustment", D(1), plant["B1"], None, ["S3"], "count", f"{key}:out"),
        ("adjustment", D(1), None, plant["B1"], ["S9"], "count", f"{key}:in"),
    ]
    assert balance(tenant, plant["PUMP"], plant["B1"]) == D(4)
    assert balance(tenant, plant["PUMP"], plant["B2"]) == D(0)
    assert _serial_places(tenant) == {"S1": "B1", "S2": "B1", "S3": None, "S4": "B1", "S9": "B1"}
    _ledger_agrees(owner_engine, tenant, plant["PUMP"])
    after = next(x for x in posted.json()["lines"] if x["id"] == line_id)
    assert after["found_serials_from"] == {"S4": "B2"} and after["missing_serials"] == ["S3"]
    assert (posted.json()["gain_value"], posted.json()["loss_value"]) == ("100", "100")

    again = tenant.post(f"/api/v1/counts/{count['id']}/post")
    assert again.status_code == 200 and again.json()["count"]["status"] == "posted"
    assert len(_moves_of(owner_engine, count["id"])) == 3


def test_a_unit_in_the_wrong_bin_of_the_count_is_one_transfer(tenant: TenantHandle, plant: dict[str, Any],
                                                              owner_engine: Any) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "Z1"}).json()
    entered = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [
        {"line_id": _line(count, "PUMP", "B1"), "serials": ["S1", "S2", "S3", "S4"], "counted": 4},
        {"line_id": _line(count, "PUMP", "B2"), "counted": "0"},            # none there
        {"line_id": _line(count, "BOLT", "B1"), "counted": "10"},
    ]})
    assert entered.status_code == 200, entered.text
    tenant.post(f"/api/v1/counts/{count['id']}/submit")
    review = tenant.get(f"/api/v1/counts/{count['id']}/variances").json()
    assert (review["gain_value"], review["loss_value"], review["lines_with_variance"]) == ("0", "0", 2)
    assert tenant.post(f"/api/v1/counts/{count['id']}/post").status_code == 200
    assert [(m.kind, m.serials) for m in _moves_of(owner_engine, count["id"])] == [("transfer", ["S4"])]
    assert _serial_places(tenant)["S4"] == "B1"
    _ledger_agrees(owner_engine, tenant, plant["PUMP"])


def test_a_serial_that_moved_after_counting_is_judged_where_it_is(tenant: TenantHandle, plant: dict[str, Any],
                                                                 owner_engine: Any) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "B1"}).json()
    tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [
        {"line_id": _line(count, "PUMP", "B1"), "serials": ["S1", "S2"]},      # S3 missing
        {"line_id": _line(count, "BOLT", "B1"), "counted": "10"},
    ]})
    tenant.post(f"/api/v1/counts/{count['id']}/submit")
    post(tenant, "issue", "PUMP", "1", from_location="B1", serials=("S3",))  # shipped meanwhile
    assert tenant.post(f"/api/v1/counts/{count['id']}/post").status_code == 200
    assert _moves_of(owner_engine, count["id"]) == []  # the book already agrees: S3 is gone
    assert balance(tenant, plant["PUMP"], plant["B1"]) == D(2)


@pytest.mark.parametrize(("target", "entry", "field"), [
    ("PUMP", {"serials": ["S1", "S2"], "counted": "3"}, "lines[1].counted"),   # quantity disagrees
    ("PUMP", {"serials": ["S1", "S2"], "counted": "2.5"}, "lines[1].counted"),
    ("PUMP", {"counted": "1.5"}, "lines[1].counted"),                          # fractional
    ("PUMP", {"counted": "2"}, "lines[1].serials"),                            # no serials scanned
    ("PUMP", {"serials": ["S1", " S1"]}, "lines[1].serials"),                  # duplicate
    ("PUMP", {"serials": ["S1", "  "]}, "lines[1].serials"),                   # blank
    ("PUMP", {"serials": ["S" * 65]}, "lines[1].serials"),                     # longer than a serial
    ("BOLT", {"serials": ["S1"], "counted": "1"}, "lines[1].serials"),         # not serial-tracked
    ("BOLT", {"serials": []}, "lines[1].serials"),
    ("FOUND", {"sku": "PUMP", "location": "B2", "serials": ["S2"]}, "lines[1].serials"),  # scanned twice
    ("FOUND", {"sku": "NUT", "location": "B2", "serials": ["N1"]}, "lines[1].serials"),
])
def test_bad_serial_entries_name_the_field_and_store_nothing(
    tenant: TenantHandle, plant: dict[str, Any], target: str, entry: dict[str, Any], field: str
) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "Z1"}).json()
    good = {"line_id": _line(count, "PUMP", "B1"), "serials": ["S1", "S2"]}
    if target != "FOUND":
        entry = {"line_id": _line(count, target, "B1" if target == "BOLT" else "B2"), **entry}
    answer = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [good, entry]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    after = tenant.get(f"/api/v1/counts/{count['id']}").json()
    assert after["counted_lines"] == 0 and after["line_count"] == 3
    assert all(x["counted_serials"] is None for x in after["lines"])
