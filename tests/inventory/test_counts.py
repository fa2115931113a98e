"""Cycle counts over real HTTP: snapshot, blind entry, review, posting through the ledger,
states, roles, and refusals that name the field and write nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.inventory.counts_support import balance, member, post, setup_plant
from tests.support import TenantHandle

D = Decimal
BOOK_FIELDS = ("expected_qty", "book_qty", "variance_qty", "variance_value", "unit_cost")


@pytest.fixture
def plant(tenant: TenantHandle) -> dict[str, Any]:
    ids = setup_plant(tenant)
    post(tenant, "receipt", "BOLT", "100", to_location="B1")                 # 100 × 2.00
    post(tenant, "receipt", "BOLT", "20", to_location="B2")                  # 20 × 2.00
    post(tenant, "receipt", "GLUE", "10", to_location="B1", lot="L1")        # 10 × 5.00
    post(tenant, "receipt", "BOLT", "50", to_location="WH2")                 # outside Z1
    return ids


def _lines(count: dict[str, Any]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(x["sku"], x["location_code"], x["lot_code"]): x for x in count["lines"]}


def _moves_of(owner_engine: Any, count_id: str) -> list[Any]:
    with owner_engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT kind, quantity, from_location_id, to_location_id, reason, total_cost, idempotency_key "
            "FROM stock_move WHERE reference_type = 'cycle_count' AND reference_id = :c ORDER BY seq"),
            {"c": count_id}))


def test_blind_count_from_snapshot_to_posting(tenant: TenantHandle, plant: dict[str, Any],
                                              owner_engine: Any) -> None:
    created = tenant.post("/api/v1/counts", json={"location": "Z1", "note": "weekly zone 1"})
    assert created.status_code == 201, created.text
    count = created.json()
    assert count["status"] == "open" and count["number"] == 1 and count["location_code"] == "Z1"
    # The snapshot: every (item, location, lot) under Z1 with stock; WH2 is not in it.
    assert sorted(_lines(count)) == [("BOLT", "B1", None), ("BOLT", "B2", None), ("GLUE", "B1", "L1")]
    # Blind: the counter's view carries no book figures at all.
    for field in BOOK_FIELDS:
        assert field not in created.text
    lines = _lines(count)
    entered = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [
        {"line_id": lines[("BOLT", "B1", None)]["id"], "counted": "97"},
        {"line_id": lines[("GLUE", "B1", "L1")]["id"], "counted": 10},
        {"line_id": lines[("BOLT", "B2", None)]["id"], "counted": "21"},
        {"sku": "NUT", "location": "B2", "counted": "4"},                   # found where the book has none
    ]})
    assert entered.status_code == 200, entered.text
    assert entered.json()["counted_lines"] == 4 and entered.json()["line_count"] == 4
    for field in BOOK_FIELDS:
        assert field not in entered.text
    assert tenant.get(f"/api/v1/counts/{count['id']}").json()["lines"][3]["found"] is True

    submitted = tenant.post(f"/api/v1/counts/{count['id']}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "counted"

    review = tenant.get(f"/api/v1/counts/{count['id']}/variances").json()
    by_key = {(x["sku"], x["location_code"]): x for x in review["lines"]}
    # 97 − 100 = −3 × 2.00 = −6; 21 − 20 = +1 × 2 = 2; NUT found 4 × 1.00 (standard cost) = 4.
    assert (by_key[("BOLT", "B1")]["expected_qty"], by_key[("BOLT", "B1")]["variance_qty"],
            by_key[("BOLT", "B1")]["variance_value"]) == ("100", "-3", "-6")
    assert by_key[("BOLT", "B2")]["variance_value"] == "2"
    assert (by_key[("NUT", "B2")]["expected_qty"], by_key[("NUT", "B2")]["variance_value"]) == ("0", "4")
    assert by_key[("GLUE", "B1")]["variance_qty"] == "0"
    assert (review["lines_with_variance"], review["gain_value"], review["loss_value"],
            review["net_value"]) == (3, "6", "6", "0")

    posted = tenant.post(f"/api/v1/counts/{count['id']}/post")
    assert posted.status_code == 200, posted.text
    assert posted.json()["count"]["status"] == "posted"
    moves = _moves_of(owner_engine, count["id"])
    assert [(m.kind, m.quantity, m.reason) for m in moves] == [
        ("adjustment", D(3), "count"), ("adjustment", D(1), "count"), ("adjustment", D(4), "count")]
    assert moves[0].from_location_id is not None and moves[1].to_location_id is not None
    assert moves[0].total_cost == D(6) and moves[2].total_cost == D(4)
    assert balance(tenant, plant["BOLT"], plant["B1"]) == D(97)
    assert balance(tenant, plant["BOLT"], plant["B2"]) == D(21)
    assert balance(tenant, plant["NUT"], plant["B2"]) == D(4)
    assert all(m.idempotency_key.startswith(f"cycle-count:{count['id']}:") for m in moves)

    # A retried approval answers the same and posts nothing new.
    again = tenant.post(f"/api/v1/counts/{count['id']}/post")
    assert again.status_code == 200 and again.json()["count"]["status"] == "posted"
    assert len(_moves_of(owner_engine, count["id"])) == 3
    assert again.json()["loss_value"] == "6"


def test_stock_that_moves_after_the_snapshot_is_no_variance(tenant: TenantHandle, plant: dict[str, Any],
                                                           owner_engine: Any) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "B2"}).json()
    line = count["lines"][0]
    post(tenant, "issue", "BOLT", "5", from_location="B2")  # 20 → 15 before anyone counts
    tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [{"line_id": line["id"], "counted": "15"}]})
    post(tenant, "receipt", "BOLT", "10", to_location="B2")  # 15 → 25 after counting, before posting
    tenant.post(f"/api/v1/counts/{count['id']}/submit")
    review = tenant.get(f"/api/v1/counts/{count['id']}/variances").json()["lines"][0]
    assert (review["expected_qty"], review["book_qty"], review["counted_qty"], review["variance_qty"]) == (
        "20", "15", "15", "0")
    assert tenant.post(f"/api/v1/counts/{count['id']}/post").status_code == 200
    assert _moves_of(owner_engine, count["id"]) == []
    assert balance(tenant, plant["BOLT"], plant["B2"]) == D(25)


def test_a_refused_posting_writes_nothing(tenant: TenantHandle, plant: dict[str, Any],
                                          owner_engine: Any) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "Z1"}).json()
    lines = _lines(count)
    tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [
        {"line_id": lines[("BOLT", "B1", None)]["id"], "counted": "97"},     # −3 later
        {"line_id": lines[("BOLT", "B2", None)]["id"], "counted": "25"},     # +5, posted first
        {"line_id": lines[("GLUE", "B1", "L1")]["id"], "counted": "10"},
    ]})
    tenant.post(f"/api/v1/counts/{count['id']}/submit")
    post(tenant, "issue", "BOLT", "99", from_location="B1")                  # only 1 left in B1
    refused = tenant.post(f"/api/v1/counts/{count['id']}/post")
    assert refused.status_code == 409 and refused.json()["field"] == "quantity", refused.text
    assert _moves_of(owner_engine, count["id"]) == []
    assert balance(tenant, plant["BOLT"], plant["B2"]) == D(20)
    assert tenant.get(f"/api/v1/counts/{count['id']}").json()["status"] == "counted"


def test_count_of_an_abc_class(tenant: TenantHandle, plant: dict[str, Any]) -> None:
    # Issues over the year: BOLT 100 × 2 = 200 (A), GLUE 1 × 5 = 5 (C), NUT nothing (C).
    post(tenant, "issue", "BOLT", "100", from_location="B1")
    post(tenant, "issue", "GLUE", "1", from_location="B1", lot="L1")
    count = tenant.post("/api/v1/counts", json={"abc_class": "a"}).json()
    assert count["abc_class"] == "A" and count["location_id"] is None
    assert sorted(_lines(count)) == [("BOLT", "B2", None), ("BOLT", "WH2", None)]  # B1 is empty now
    both = tenant.post("/api/v1/counts", json={"abc_class": "C", "location": "WH1"}).json()
    assert sorted(_lines(both)) == [("GLUE", "B1", "L1")]


def test_states_and_what_each_allows(tenant: TenantHandle, plant: dict[str, Any]) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "B2"}).json()
    cid, line_id = count["id"], count["lines"][0]["id"]
    early = tenant.post(f"/api/v1/counts/{cid}/post")
    assert early.status_code == 409 and early.json()["field"] == "status"
    unfinished = tenant.post(f"/api/v1/counts/{cid}/submit")
    assert unfinished.status_code == 422 and unfinished.json()["field"] == "lines"
    assert "1 line(s) not counted" in unfinished.json()["detail"]
    tenant.post(f"/api/v1/counts/{cid}/lines", json={"lines": [{"line_id": line_id, "counted": "3"}]})
    again = tenant.post(f"/api/v1/counts/{cid}/lines", json={"lines": [{"line_id": line_id, "counted": "20"}]})
    assert again.json()["lines"][0]["counted_qty"] == "20"  # a recount replaces the count
    tenant.post(f"/api/v1/counts/{cid}/submit")
    late = tenant.post(f"/api/v1/counts/{cid}/lines", json={"lines": [{"line_id": line_id, "counted": "1"}]})
    assert late.status_code == 409 and late.json()["field"] == "status"
    cancelled = tenant.post(f"/api/v1/counts/{cid}/cancel", json={"reason": "wrong bin"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "wrong bin"
    for action in ("post", "submit", "cancel"):
        answer = tenant.post(f"/api/v1/counts/{cid}/{action}")
        assert answer.status_code == 409, action
    listed = tenant.get("/api/v1/counts", params={"status": "cancelled"}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == cid and listed["items"][0]["lines"] is None
    # The stock is free again for a new count once the old one is cancelled.
    assert tenant.post("/api/v1/counts", json={"location": "B2"}).status_code == 201


def test_overlapping_counts_are_refused(tenant: TenantHandle, plant: dict[str, Any]) -> None:
    first = tenant.post("/api/v1/counts", json={"location": "B1"}).json()
    clash = tenant.post("/api/v1/counts", json={"location": "WH1"})
    assert clash.status_code == 409 and clash.json()["field"] == "location"
    assert f"count {first['number']}" in clash.json()["detail"]
    assert tenant.post("/api/v1/counts", json={"location": "B2"}).status_code == 201
    assert tenant.get("/api/v1/counts").json()["total"] == 2


@pytest.mark.parametrize(("body", "status", "field"), [
    ({}, 422, "location"),
    ({"location": "NOWHERE"}, 422, "location"),
    ({"location": 12}, 400, "location"),
    ({"abc_class": "D"}, 422, "abc_class"),
    ({"location": "B1", "note": "x" * 201}, 422, "note"),
    ({"location": "B1", "colour": "red"}, 400, "colour"),
])
def test_bad_count_input_names_the_field(tenant: TenantHandle, plant: dict[str, Any], body: dict[str, Any],
                                         status: int, field: str) -> None:
    answer = tenant.post("/api/v1/counts", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert tenant.get("/api/v1/counts").json()["total"] == 0


@pytest.mark.parametrize(("entry", "status", "field"), [
    ({"counted": "-1"}, 422, "lines[1].counted"),
    ({"counted": "abc"}, 400, "lines[1].counted"),
    ({"counted": "1.1234567"}, 422, "lines[1].counted"),
    ({}, 422, "lines[1].counted"),
    ({"line_id": str(uuid.uuid4()), "counted": "1"}, 422, "lines[1].line_id"),
    ({"sku": "NOPE", "location": "B1", "counted": "1"}, 422, "lines[1].sku"),
    ({"location": "B1", "counted": "1"}, 422, "lines[1].sku"),
    ({"sku": "NUT", "counted": "1"}, 422, "lines[1].location"),
    ({"sku": "NUT", "location": "WH2", "counted": "1"}, 422, "lines[1].location"),
    ({"sku": "GLUE", "location": "B1", "counted": "1"}, 422, "lines[1].lot"),
    ({"sku": "GLUE", "location": "B1", "lot": "NEW", "counted": "1"}, 422, "lines[1].lot"),
    ({"sku": "NUT", "location": "B1", "lot": "L1", "counted": "1"}, 422, "lines[1].lot"),
    ({"line_id": "not-an-id", "counted": "1"}, 400, "lines[1].line_id"),
])
def test_bad_count_entries_name_the_field_and_write_nothing(
    tenant: TenantHandle, plant: dict[str, Any], entry: dict[str, Any], status: int, field: str
) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "Z1"}).json()
    good = {"line_id": count["lines"][0]["id"], "counted": "5"}
    answer = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": [good, entry]})
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    after = tenant.get(f"/api/v1/counts/{count['id']}").json()
    assert after["counted_lines"] == 0 and after["line_count"] == 3  # the good entry was not kept either


def test_empty_entries_and_unknown_count(tenant: TenantHandle, plant: dict[str, Any]) -> None:
    count = tenant.post("/api/v1/counts", json={"location": "B2"}).json()
    empty = tenant.post(f"/api/v1/counts/{count['id']}/lines", json={"lines": []})
    assert empty.status_code == 422 and empty.json()["field"] == "lines"
    missing = tenant.get(f"/api/v1/counts/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["field"] == "count_id"


def test_roles(tenant: TenantHandle, plant: dict[str, Any], owner_engine: Any) -> None:
    keeper = member(tenant, owner_engine, "storekeeper")
    viewer = member(tenant, owner_engine, "viewer")
    planner = member(tenant, owner_engine, "planner")
    assert viewer.post("/api/v1/counts", json={"location": "B1"}).status_code == 403
    count = keeper.post("/api/v1/counts", json={"location": "B2"})
    assert count.status_code == 201
    cid, line_id = count.json()["id"], count.json()["lines"][0]["id"]
    assert viewer.get(f"/api/v1/counts/{cid}").status_code == 200
    assert viewer.post(f"/api/v1/counts/{cid}/lines",
                       json={"lines": [{"line_id": line_id, "counted": "1"}]}).status_code == 403
    assert keeper.post(f"/api/v1/counts/{cid}/lines",
                       json={"lines": [{"line_id": line_id, "counted": "18"}]}).status_code == 200
    assert keeper.post(f"/api/v1/counts/{cid}/submit").status_code == 200
    # The storekeeper counted blind and cannot see or approve the variances.
    assert keeper.get(f"/api/v1/counts/{cid}/variances").status_code == 403
    assert keeper.post(f"/api/v1/counts/{cid}/post").status_code == 403
    refused = keeper.post(f"/api/v1/counts/{cid}/cancel")
    assert refused.status_code == 409 and "owner, admin or planner" in refused.json()["detail"]
    review = planner.get(f"/api/v1/counts/{cid}/variances").json()
    assert review["lines"][0]["variance_qty"] == "-2"
    assert planner.post(f"/api/v1/counts/{cid}/post").json()["count"]["posted_by"] == str(planner.user_id)
    assert balance(tenant, plant["BOLT"], plant["B2"]) == D(18)
    second = keeper.post("/api/v1/counts", json={"location": "B1"}).json()
    assert keeper.post(f"/api/v1/counts/{second['id']}/cancel").json()["status"] == "cancelled"


def test_concurrent_approvals_post_once(tenant: TenantHandle, plant: dict[str, Any], owner_engine: Any,
                                        live_server: Any) -> None:
    import threading

    count = tenant.post("/api/v1/counts", json={"location": "B2"}).json()
    tenant.post(f"/api/v1/counts/{count['id']}/lines",
                json={"lines": [{"line_id": count["lines"][0]["id"], "counted": "17"}]})
    tenant.post(f"/api/v1/counts/{count['id']}/submit")
    answers: list[int] = []

    def approve() -> None:
        with httpx.Client(base_url=live_server.url, timeout=30) as client:
            answers.append(client.post(f"/api/v1/counts/{count['id']}/post", headers=tenant.headers).status_code)

    threads = [threading.Thread(target=approve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200, 200, 200]
    assert len(_moves_of(owner_engine, count["id"])) == 1
    assert balance(tenant, plant["BOLT"], plant["B2"]) == D(17)
