"""Inventory KPIs: the pure formulas on hand-computed numbers, then the endpoint on the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.inventory.kpis import (
    average,
    carrying_cost,
    compute_kpis,
    days_of_inventory,
    end_of_day_values,
    period_days,
    stockout_days,
    turnover,
)
from core.inventory.settings import update_inventory_settings
from tests.inventory.counts_support import insert_move, post, setup_plant
from tests.support import TenantHandle

D = Decimal


def test_end_of_day_values_and_average_by_hand() -> None:
    # Opening 100; +50 on the 2nd, -30 on the 4th; days 1..5 end at 100, 150, 150, 120, 120.
    changes = {date(2026, 3, 2): D(50), date(2026, 3, 4): D(-30), date(2026, 3, 9): D(999)}
    values = end_of_day_values(D(100), changes, date(2026, 3, 1), date(2026, 3, 5))
    assert values == [D(100), D(150), D(150), D(120), D(120)]
    assert average(values) == D(128)  # 640 / 5
    assert average([]) == D(0)
    assert period_days(date(2026, 3, 1), date(2026, 3, 31)) == 31


def test_turnover_dsi_and_carrying_cost_by_hand() -> None:
    # A 30-day period, average inventory 2,000, COGS 500, holding rate 24 % a year.
    assert turnover(D(500), D(2000)) == D("0.2500")          # 500 / 2000
    assert days_of_inventory(D(2000), D(500), 30) == D("120.00")   # 2000 / 500 × 30
    # Annualised: turnover 0.25 × 365/30 = 3.041666…; 365 / 3.041666… = 120 days. Same.
    assert carrying_cost(D("0.24"), D(2000), 30) == D("39.452055")  # 0.24 × 2000 × 30/365
    assert turnover(D(500), D(0)) is None
    assert days_of_inventory(D(2000), D(0), 30) is None
    # 365 days, average 1,000, COGS 4,000: turned 4 times, 91.25 days of stock, 25 % → 250.
    assert turnover(D(4000), D(1000)) == D("4.0000")
    assert days_of_inventory(D(1000), D(4000), 365) == D("91.25")
    assert carrying_cost(D("0.25"), D(1000), 365) == D("250.000000")


def test_compute_kpis_combines_the_formulas() -> None:
    figures = compute_kpis(D(100), {date(2026, 3, 2): D(50), date(2026, 3, 4): D(-30)},
                           D(64), D("0.365"), date(2026, 3, 1), date(2026, 3, 5))
    assert figures.days == 5
    assert figures.closing_value == D(120)
    assert figures.average_inventory_value == D("128.000000")
    assert figures.turnover == D("0.5000")                 # 64 / 128
    assert figures.days_of_inventory == D("10.00")         # 128 / 64 × 5
    assert figures.carrying_cost == D("0.640000")          # 0.365 × 128 × 5 / 365


def test_stockout_days_count_any_moment_at_or_below_zero() -> None:
    start, end = date(2026, 3, 1), date(2026, 3, 6)
    moves = [
        (date(2026, 3, 2), D(-10)),  # 10 → 0: the 2nd is a stockout day
        (date(2026, 3, 3), D(5)),    # starts at 0: the 3rd counts too, ends at 5
        (date(2026, 3, 4), D(-5)),   # back to 0 on the 4th
        (date(2026, 3, 4), D(8)),    # … and refilled the same day: still counted
        (date(2026, 3, 6), D(-2)),   # 8 → 6: fine
        (date(2026, 3, 9), D(-100)),  # outside the period: ignored
    ]
    # Day 1: 10 (no), 2: 0 (yes), 3: starts 0 (yes), 4: dips to 0 (yes), 5: 8 (no), 6: 6 (no).
    assert stockout_days(D(10), moves, start, end) == 3
    assert stockout_days(D(0), [], start, end) == 6
    assert stockout_days(D(-1), [(date(2026, 3, 1), D(3))], start, end) == 1


# ---------------------------------------------------------------- GET /api/v1/kpis/inventory

def _at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def history(tenant: TenantHandle, owner_engine: Any) -> dict[str, Any]:
    """Ten days of March 2026 (see the test for the hand computation)."""
    ids = setup_plant(tenant)
    b1, b2, bolt, nut = ids["B1"], ids["B2"], ids["BOLT"], ids["NUT"]
    m = insert_move
    m(owner_engine, tenant, _at(20, month=2), "receipt", bolt, "100", "200", to_id=b1)
    m(owner_engine, tenant, _at(3), "issue", bolt, "60", "120", from_id=b1)
    m(owner_engine, tenant, _at(4), "receipt", nut, "10", "10", to_id=b2)
    m(owner_engine, tenant, _at(5), "issue", bolt, "40", "80", from_id=b1)
    m(owner_engine, tenant, _at(6, 10), "receipt", bolt, "50", "150", to_id=b1)
    issued = m(owner_engine, tenant, _at(7, 9), "issue", bolt, "10", "30", from_id=b1)
    m(owner_engine, tenant, _at(7, 10), "issue", bolt, "10", "30", to_id=b1, reverses=issued)
    m(owner_engine, tenant, _at(8), "transfer", bolt, "50", "0", from_id=b1, to_id=b2)
    m(owner_engine, tenant, _at(9), "scrap", nut, "10", "10", from_id=b2, reason="damaged")
    m(owner_engine, tenant, _at(12), "issue", bolt, "5", "15", from_id=b2)  # after the period
    update_inventory_settings(tenant.tenant_id, {"holding_rate_per_year": "0.365"}, tenant.user_id)
    return ids


def test_kpis_of_a_period_by_hand(tenant: TenantHandle, history: dict[str, Any]) -> None:
    answer = tenant.get("/api/v1/kpis/inventory", params={"from": "2026-03-01", "to": "2026-03-10"})
    assert answer.status_code == 200, answer.text
    k = answer.json()
    # End-of-day values, days 1..10: 200 200 80 90 10 160 160 160 150 150 → sum 1360, average 136.
    # COGS: issues 120 + 80 (+30 issued and reversed on the 7th = 0); the scrap is no COGS.
    assert (k["days"], k["opening_value"], k["closing_value"], k["average_inventory_value"], k["cogs"]) == (
        10, "200", "150", "136", "200")
    assert k["turnover"] == "1.4706"            # 200 / 136
    assert k["days_of_inventory"] == "6.8"      # 136 / 200 × 10
    assert k["holding_rate_per_year"] == "0.365"
    assert k["carrying_cost"] == "1.36"         # 0.365 × 136 × 10 / 365
    # BOLT: 100, 100, 40, 40, 0 (out), starts the 6th at 0 (out), then 50: 2 days.
    # NUT: nothing until received at noon on the 4th (days 1-4 start at 0: 4 days out), 10 until
    # scrapped on the 9th (out), 0 all the 10th: 6 days.
    assert [(s["sku"], s["stockout_days"]) for s in k["stockouts"]] == [("NUT", 6), ("BOLT", 2)]
    one = tenant.get("/api/v1/kpis/inventory", params={"from": "2026-03-01", "to": "2026-03-10", "sku": "BOLT"})
    assert [s["sku"] for s in one.json()["stockouts"]] == ["BOLT"]


def test_a_period_ending_after_today_is_capped(tenant: TenantHandle, history: dict[str, Any]) -> None:
    k = tenant.get("/api/v1/kpis/inventory", params={"from": "2026-03-11", "to": "2099-12-31"}).json()
    assert k["end"] == date.today().isoformat() and k["requested_end"] == "2099-12-31"
    assert k["opening_value"] == "150" and k["cogs"] == "15"


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"to": "2026-03-10"}, 422, "from"),
    ({"from": "2026-03-10"}, 422, "to"),
    ({"from": "2026-03-10", "to": "2026-03-01"}, 422, "to"),
    ({"from": "2026-02-30", "to": "2026-03-01"}, 422, "from"),
    ({"from": "2026-02-01", "to": "March"}, 422, "to"),
    ({"from": "2099-01-01", "to": "2099-01-02"}, 422, "from"),
    ({"from": "2000-01-01", "to": "2026-01-01"}, 422, "to"),
    ({"from": "2026-03-01", "to": "2026-03-02", "sku": "NOPE"}, 422, "sku"),
])
def test_bad_kpi_input_names_the_field(tenant: TenantHandle, params: dict[str, str], status: int,
                                       field: str) -> None:
    answer = tenant.get("/api/v1/kpis/inventory", params=params)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field


def test_kpis_on_moves_posted_today(tenant: TenantHandle) -> None:
    setup_plant(tenant)
    post(tenant, "receipt", "BOLT", "10", to_location="B1", unit_cost="3")   # value 30
    post(tenant, "issue", "BOLT", "4", from_location="B1")                    # COGS 12
    today = date.today()
    k = tenant.get("/api/v1/kpis/inventory", params={"from": (today - timedelta(days=1)).isoformat(),
                                                     "to": today.isoformat()}).json()
    # Yesterday ends at 0, today at 18: average 9; turnover 12 / 9; DSI 9 / 12 × 2 = 1.5 days.
    assert (k["average_inventory_value"], k["cogs"], k["turnover"], k["days_of_inventory"]) == (
        "9", "12", "1.3333", "1.5")
    assert k["carrying_cost"] == "0.012329"  # 0.25 (default) × 9 × 2 / 365
    # Yesterday BOLT had nothing, and today started at 0 before the receipt: 2 stockout days.
    assert [(s["sku"], s["stockout_days"]) for s in k["stockouts"]] == [("BOLT", 2)]
