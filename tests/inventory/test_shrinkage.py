"""Shrinkage: the pure grouping on hand-computed numbers, then the report endpoint."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.errors import InvalidInput
from core.inventory.shrinkage import Loss, period_start, summarise
from tests.inventory.counts_support import insert_move, setup_plant
from tests.support import TenantHandle

D = Decimal
BOLT, NUT = uuid.uuid4(), uuid.uuid4()


def test_period_buckets() -> None:
    day = date(2026, 5, 14)  # a Thursday
    assert period_start(day, "day") == day
    assert period_start(day, "week") == date(2026, 5, 11)
    assert period_start(day, "month") == date(2026, 5, 1)
    assert period_start(day, "quarter") == date(2026, 4, 1)
    assert period_start(day, "year") == date(2026, 1, 1)
    with pytest.raises(InvalidInput) as caught:
        period_start(day, "fortnight")
    assert caught.value.field == "period"


def test_summarise_groups_by_month_item_and_reason() -> None:
    losses = [
        Loss(date(2026, 1, 5), BOLT, "BOLT", "count", "adjustment", D(3), D("1.50")),
        Loss(date(2026, 1, 20), BOLT, "BOLT", "count", "adjustment", D(2), D("1.00")),
        Loss(date(2026, 1, 21), BOLT, "BOLT", "damaged", "scrap", D(4), D("2.00")),
        Loss(date(2026, 2, 2), BOLT, "BOLT", "count", "adjustment", D(1), D("0.50")),
        Loss(date(2026, 2, 3), NUT, "NUT", "expired", "scrap", D(10), D("7.00")),
    ]
    report = summarise(losses, date(2026, 1, 1), date(2026, 2, 28), "month")
    assert [(r.period, r.sku, r.reason, r.moves, r.quantity, r.value) for r in report.rows] == [
        (date(2026, 1, 1), "BOLT", "count", 2, D(5), D("2.50")),
        (date(2026, 1, 1), "BOLT", "damaged", 1, D(4), D("2.00")),
        (date(2026, 2, 1), "BOLT", "count", 1, D(1), D("0.50")),
        (date(2026, 2, 1), "NUT", "expired", 1, D(10), D("7.00")),
    ]
    assert [(t.sku, t.quantity, t.value) for t in report.by_item] == [
        ("NUT", D(10), D("7.00")), ("BOLT", D(10), D("5.00"))]
    assert report.by_reason == {"count": D("3.00"), "damaged": D("2.00"), "expired": D("7.00")}
    assert report.total_value == D("12.00")


# ---------------------------------------------------------------- GET /api/v1/reports/shrinkage

def test_shrinkage_report_by_hand(tenant: TenantHandle, owner_engine: Any) -> None:
    ids = setup_plant(tenant)
    b1, m = ids["B1"], insert_move

    def at(mo: int, d: int) -> datetime:
        return datetime(2026, mo, d, 12, tzinfo=UTC)

    m(owner_engine, tenant, at(1, 2), "receipt", ids["BOLT"], "100", "200", to_id=b1)
    m(owner_engine, tenant, at(1, 10), "adjustment", ids["BOLT"], "3", "6", from_id=b1, reason="count")
    m(owner_engine, tenant, at(1, 11), "adjustment", ids["BOLT"], "2", "4", to_id=b1, reason="count")  # a gain
    m(owner_engine, tenant, at(1, 20), "scrap", ids["BOLT"], "4", "8", from_id=b1, reason="damaged")
    oops = m(owner_engine, tenant, at(2, 3), "scrap", ids["BOLT"], "10", "20", from_id=b1, reason="damaged")
    m(owner_engine, tenant, at(2, 4), "scrap", ids["BOLT"], "10", "20", to_id=b1, reason="undo", reverses=oops)
    m(owner_engine, tenant, at(2, 14), "scrap", ids["NUT"], "7", "7", from_id=b1, reason="expired")
    m(owner_engine, tenant, at(2, 15), "issue", ids["BOLT"], "50", "100", from_id=b1)  # usage, not loss
    m(owner_engine, tenant, at(3, 1), "adjustment", ids["BOLT"], "1", "2", from_id=b1, reason="count")  # after
    answer = tenant.get("/api/v1/reports/shrinkage", params={"from": "2026-01-01", "to": "2026-02-28"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["period"] == "month"
    assert [(r["period"], r["sku"], r["reason"], r["kind"], r["quantity"], r["value"]) for r in report["rows"]] == [
        ("2026-01-01", "BOLT", "count", "adjustment", "3", "6"),
        ("2026-01-01", "BOLT", "damaged", "scrap", "4", "8"),
        ("2026-02-01", "NUT", "expired", "scrap", "7", "7"),
    ]
    assert [(t["sku"], t["quantity"], t["value"]) for t in report["by_item"]] == [
        ("BOLT", "7", "14"), ("NUT", "7", "7")]
    assert report["by_reason"] == {"count": "6", "damaged": "8", "expired": "7"}
    assert report["total_value"] == "21"
    weekly = tenant.get("/api/v1/reports/shrinkage", params={"from": "2026-01-01", "to": "2026-03-31",
                                                             "period": "week", "sku": "BOLT"}).json()
    assert [(r["period"], r["value"]) for r in weekly["rows"]] == [
        ("2026-01-05", "6"), ("2026-01-19", "8"), ("2026-02-23", "2")]


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"to": "2026-01-31"}, 422, "from"),
    ({"from": "2026-01-01"}, 422, "to"),
    ({"from": "2026-01-31", "to": "2026-01-01"}, 422, "to"),
    ({"from": "2026-13-01", "to": "2026-12-31"}, 422, "from"),
    ({"from": "2026-01-01", "to": "2026-01-31", "period": "fortnight"}, 400, "period"),
    ({"from": "2026-01-01", "to": "2026-01-31", "sku": "NOPE"}, 422, "sku"),
])
def test_bad_shrinkage_input_names_the_field(tenant: TenantHandle, params: dict[str, str], status: int,
                                             field: str) -> None:
    answer = tenant.get("/api/v1/reports/shrinkage", params=params)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
