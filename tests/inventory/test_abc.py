"""ABC classification: the pure split on hand-computed numbers, then the endpoint."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.errors import InvalidInput
from core.inventory.abc import ItemUsage, classify
from tests.inventory.counts_support import insert_move, setup_plant
from tests.support import TenantHandle

D = Decimal


def _usage(sku: str, value: str) -> ItemUsage:
    return ItemUsage(uuid.uuid4(), sku, D(1), D(value))


def test_split_by_cumulative_value_before_the_item() -> None:
    # Total 1,000. Running total before each: 0, 500, 800, 900, 960, 1000.
    rows = classify([_usage("E", "40"), _usage("A", "500"), _usage("C", "100"),
                     _usage("B", "300"), _usage("D", "60"), _usage("Z", "0")])
    assert [(r.sku, r.abc_class) for r in rows] == [
        ("A", "A"), ("B", "A"),   # before 0 and 50 % < 80 %
        ("C", "B"), ("D", "B"),   # before 80 % and 90 % < 95 %
        ("E", "C"),               # before 96 %
        ("Z", "C"),               # never used
    ]
    assert rows[0].share == D("0.500000") and rows[1].cumulative_share == D("0.800000")
    assert rows[-1].cumulative_share == D("1.000000")


def test_the_item_that_crosses_the_a_threshold_is_still_a() -> None:
    rows = classify([_usage("BIG", "900"), _usage("MID", "60"), _usage("SMALL", "40")])
    # BIG alone is 90 %: it is an A; MID starts at 90 % < 95 % → B; SMALL at 96 % → C.
    assert [r.abc_class for r in rows] == ["A", "B", "C"]


def test_custom_shares_and_ties() -> None:
    rows = classify([_usage("Y", "50"), _usage("X", "50")], D("0.5"), D("0.5"))
    assert [(r.sku, r.abc_class) for r in rows] == [("X", "A"), ("Y", "B")]  # ties by sku
    assert classify([]) == []
    assert [r.abc_class for r in classify([_usage("N", "0")])] == ["C"]


@pytest.mark.parametrize(("a", "b", "field"), [
    ("0", "0.15", "a_share"), ("1", "0", "a_share"), ("0.8", "-0.1", "b_share"), ("0.9", "0.2", "b_share"),
])
def test_bad_shares_name_the_field(a: str, b: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        classify([], D(a), D(b))
    assert caught.value.field == field


# ---------------------------------------------------------------- GET /api/v1/abc

@pytest.fixture
def usage(tenant: TenantHandle, owner_engine: Any) -> dict[str, Any]:
    """Issues around the window 2025-07-01 … 2026-06-30 (as of 2026-06-30)."""
    ids = setup_plant(tenant)
    tenant.post("/api/v1/items", json={"sku": "IDLE", "name": "Never used"})
    b1, m = ids["B1"], insert_move

    def at(y: int, mo: int, d: int, h: int = 12) -> datetime:
        return datetime(y, mo, d, h, tzinfo=UTC)

    m(owner_engine, tenant, at(2026, 3, 1), "issue", ids["BOLT"], "100", "200", from_id=b1)
    m(owner_engine, tenant, at(2025, 6, 30, 23), "issue", ids["BOLT"], "50", "100", from_id=b1)  # before
    m(owner_engine, tenant, at(2026, 6, 30, 23), "issue", ids["NUT"], "30", "30", from_id=b1)    # last day
    m(owner_engine, tenant, at(2025, 7, 1, 0), "issue", ids["GLUE"], "2", "10", from_id=b1)      # first day
    wrong = m(owner_engine, tenant, at(2026, 1, 5), "issue", ids["GLUE"], "10", "50", from_id=b1)
    m(owner_engine, tenant, at(2026, 1, 6), "issue", ids["GLUE"], "10", "50", to_id=b1, reverses=wrong)
    m(owner_engine, tenant, at(2026, 2, 1), "receipt", ids["NUT"], "500", "500", to_id=b1)      # no usage
    m(owner_engine, tenant, at(2026, 2, 2), "scrap", ids["NUT"], "5", "5", from_id=b1)          # no usage
    return ids


def test_abc_report_by_hand(tenant: TenantHandle, usage: dict[str, Any]) -> None:
    answer = tenant.get("/api/v1/abc", params={"as_of": "2026-06-30"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["as_of"], report["window_start"], report["total_value"]) == ("2026-06-30", "2025-07-01", "240")
    # BOLT 200 (before it 0 % → A), NUT 30 (before it 83.3 % → B), GLUE 10 (the reversed 50
    # nets out; before it 95.8 % → C), IDLE 0 → C.
    assert [(r["sku"], r["annual_quantity"], r["annual_value"], r["abc_class"]) for r in report["items"]] == [
        ("BOLT", "100", "200", "A"), ("NUT", "30", "30", "B"), ("GLUE", "2", "10", "C"), ("IDLE", "0", "0", "C")]
    assert report["items"][0]["share"] == "0.833333"
    assert [(c["abc_class"], c["items"], c["annual_value"]) for c in report["classes"]] == [
        ("A", 1, "200"), ("B", 1, "30"), ("C", 2, "10")]
    wider = tenant.get("/api/v1/abc", params={"as_of": "2026-06-30", "a_share": "0.9",
                                                 "b_share": "0.1"}).json()
    assert [r["abc_class"] for r in wider["items"]] == ["A", "A", "B", "C"]  # NUT 83.3 % < 90 %; GLUE 95.8 % < 100 %
    only_c = tenant.get("/api/v1/abc", params={"as_of": "2026-06-30", "abc_class": "C"}).json()
    assert [r["sku"] for r in only_c["items"]] == ["GLUE", "IDLE"]


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"a_share": "2"}, 422, "a_share"),
    ({"a_share": "lots"}, 400, "a_share"),
    ({"b_share": "0.5"}, 422, "b_share"),
    ({"abc_class": "D"}, 400, "abc_class"),
    ({"as_of": "yesterday"}, 400, "as_of"),
])
def test_bad_abc_input_names_the_field(tenant: TenantHandle, params: dict[str, str], status: int,
                                       field: str) -> None:
    answer = tenant.get("/api/v1/abc", params=params)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
