"""The eight lot-sizing rules and the minimum / maximum / multiple modifiers.

Sources:
* Nahmias, Production and Operations Analysis (McGraw-Hill), ch. 7, lot
  sizing for time-varying demand, the machine-shop example r = (18, 30, 42,
  5, 20), K = $80, h = $2 (Example 7.5 in the edition cited by course notes).
  Published results used here: Silver-Meal orders 48 in period 1 and 47 in
  period 3 (C(2) = 70 < C(3) = 102.67; from period 3, C(2) = 45 < C(3) =
  56.67), and part-period balancing orders 48 and 67 (holding 60 vs 228 from
  period 1, 10 vs 90 from period 3), total setup and holding cost $310.
* Heizer & Render, Operations Management, ch. 14 (MRP), the lot-sizing
  data: net requirements 35, 30, 40, 0, 10, 40, 30, 0, 30, 55, setup $100,
  holding $1 per unit per week. The plans below are hand-computed from those
  data with the rules as plan-bundle.md states them (arithmetic in each test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.planning.bundles import one_item

Plan = Callable[[dict[str, Any]], dict[str, Any]]
NAHMIAS = [18, 30, 42, 5, 20]
HEIZER = [35, 30, 40, 0, 10, 40, 30, 0, 30, 55]


def receipts(planned: Plan, demand: list[int], lot: dict[str, Any], **fields: Any) -> list[Any]:
    out = planned(one_item(len(demand), demand, lot_sizing=lot, **fields))
    return out["items"]["x"]["planned_order_receipts"]


def test_lot_for_lot_heizer(planned: Plan) -> None:
    """Lot-for-lot: every net requirement is its own order (7 orders, $700 of setups)."""
    assert receipts(planned, HEIZER, {"rule": "lot_for_lot"}) == HEIZER


def test_fixed_quantity(planned: Plan) -> None:
    """Hand-computed, fixed 50 on Nahmias' data: 18 → 50 (32 left), 30 from stock (2),
    42 - 2 = 40 → 50 (10), 5 from stock (5), 20 - 5 = 15 → 50."""
    assert receipts(planned, NAHMIAS, {"rule": "fixed", "quantity": 50}) == [50, 0, 50, 0, 50]


def test_fixed_quantity_orders_a_multiple_when_one_lot_is_short(planned: Plan) -> None:
    """plan-bundle.md: "the smallest multiple of quantity that covers": 42 with 20 → 60."""
    assert receipts(planned, [42], {"rule": "fixed", "quantity": 20}) == [60]


def test_eoq_heizer(planned: Plan) -> None:
    """EOQ on Heizer & Render's data: D = 1,404 a year (27 a week × 52), S = $100,
    H = $1 × 52 = $52 a year: sqrt(2 × 1404 × 100 / 52) = sqrt(5400) = 73.48 → 73.

    Hand-computed record: 35 → 73 (38), 30 (8), 40 - 8 = 32 → 73 (41), 0, 10 (31),
    40 - 31 = 9 → 73 (64), 30 (34), 0, 30 (4), 55 - 4 = 51 → 73 (22).
    """
    lot = {"rule": "eoq", "annual_demand": 1404, "setup_cost": 100,
           "holding_cost_per_unit_year": 52}
    assert receipts(planned, HEIZER, lot) == [73, 0, 73, 0, 0, 73, 0, 0, 0, 73]


def test_poq_heizer(planned: Plan) -> None:
    """Hand-computed POQ, P = 2: 35+30, 40+0, 10+40, 30+0, 30+55."""
    lot = {"rule": "poq", "periods": 2}
    assert receipts(planned, HEIZER, lot) == [65, 0, 40, 0, 50, 0, 30, 0, 85, 0]


def test_silver_meal_nahmias(planned: Plan) -> None:
    """Nahmias' published Silver-Meal lots: 48 (periods 1-2), 47 (3-4), 20 (5)."""
    lot = {"rule": "silver_meal", "setup_cost": 80, "holding_cost": 2}
    assert receipts(planned, NAHMIAS, lot) == [48, 0, 47, 0, 20]


def test_part_period_balancing_nahmias(planned: Plan) -> None:
    """Nahmias' published part-period balancing lots: 48 (1-2) and 67 (3-5)."""
    lot = {"rule": "least_total_cost", "setup_cost": 80, "holding_cost": 2}
    assert receipts(planned, NAHMIAS, lot) == [48, 0, 67, 0, 0]


def test_part_period_balancing_heizer(planned: Plan) -> None:
    """Hand-computed PPB on Heizer & Render's data, EPP = 100/1 = 100 part-periods.

    From 1: 30 (1-2), 30 + 2×40 = 110 (1-3) is 10 past 100, closer than 30 → 105.
    From 5: 40 (5-6), 40 + 2×30 = 100 (5-7), period 8 has no need, 100 + 4×30 =
    220 (5-9) → 80. From 9: 55 (9-10) → 85.
    """
    lot = {"rule": "least_total_cost", "setup_cost": 100, "holding_cost": 1}
    assert receipts(planned, HEIZER, lot) == [105, 0, 0, 0, 80, 0, 0, 0, 85, 0]


def test_least_unit_cost_nahmias_data(planned: Plan) -> None:
    """Hand-computed least unit cost on Nahmias' data (K = 80, h = 2).

    From 1: 80/18 = 4.44, (80+60)/48 = 2.92, (140+168)/90 = 3.42 ↑ → 48.
    From 3: 80/42 = 1.905, (80+10)/47 = 1.915 ↑ → 42.
    From 4: 80/5 = 16, (80+40)/25 = 4.8 → 25.
    """
    lot = {"rule": "least_unit_cost", "setup_cost": 80, "holding_cost": 2}
    assert receipts(planned, NAHMIAS, lot) == [48, 0, 42, 25, 0]


def test_wagner_whitin_nahmias_data_breaks_ties_to_the_shorter_lot(planned: Plan) -> None:
    """Hand-computed Wagner-Whitin on Nahmias' data: the optimum is $310, reached by
    48/47/20 (3 × 80 + 60 + 10) and by 48/67 (2 × 80 + 60 + 10 + 80). From period 3
    covering 3-4 then 5 (170) ties with covering 3-5 (170): the shorter lot wins.
    """
    lot = {"rule": "wagner_whitin", "setup_cost": 80, "holding_cost": 2}
    assert receipts(planned, NAHMIAS, lot) == [48, 0, 47, 0, 20]


def test_wagner_whitin_with_period_costs(planned: Plan) -> None:
    """Hand-computed: a setup of 1000 in period 2 makes period 1 carry period 2
    (holding 30 × 1 = 30 < 1000); period 3 (setup 10) orders alone."""
    lot = {"rule": "wagner_whitin", "setup_cost": [10, 1000, 10], "holding_cost": [1, 1, 1]}
    assert receipts(planned, [5, 30, 7], lot) == [35, 0, 7]


def test_holding_cost_list_is_charged_per_period_end(planned: Plan) -> None:
    """Hand-computed Silver-Meal with h = [1, 9, 1]: from 1, C(2) = (50 + 10×1)/2 = 30
    < 50, C(3) = (60 + 10×(1+9))/3 = 53.3 ↑ → 15 + 10; then 10 alone."""
    lot = {"rule": "silver_meal", "setup_cost": 50, "holding_cost": [1, 9, 1]}
    assert receipts(planned, [15, 10, 10], lot) == [25, 0, 10]


def test_cost_rules_skip_periods_without_need(planned: Plan) -> None:
    """Hand-computed PPB: period 2 has no need and is carried at no cost; 1+3 holds
    2 × 20 × 1 = 40 ≤ 50, 1+3+4 would hold 40 + 3 × 10 = 70 (20 past, vs 10 short)."""
    lot = {"rule": "least_total_cost", "setup_cost": 50, "holding_cost": 1}
    assert receipts(planned, [10, 0, 20, 10], lot) == [30, 0, 0, 10]


@pytest.mark.parametrize(
    ("modifiers", "expected"),
    [
        # minimum 25: 18 → 25 (7 left), 30-7 = 23 → 25 (2), 42-2 = 40, 5 → 25 (20), 20 covered.
        ({"minimum": 25}, [25, 25, 40, 25, 0]),
        # multiple 10: 18 → 20, 28 → 30, 40, 5 → 10 (5 left), 15 → 20.
        ({"multiple": 10}, [20, 30, 40, 10, 20]),
        # maximum 40 splits 42 into 40 + 2.
        ({"maximum": 40}, [18, 30, 42, 5, 20]),
    ],
)
def test_modifiers_on_lot_for_lot(planned: Plan, modifiers: dict[str, Any],
                                  expected: list[int]) -> None:
    """Hand-computed order modifiers (APICS: minimum, maximum, multiple), on Nahmias' data."""
    assert receipts(planned, NAHMIAS, {"rule": "lot_for_lot", **modifiers}) == expected


def test_maximum_splits_into_several_orders(planned: Plan) -> None:
    """Hand-computed: 42 with maximum 25 and multiple 10: pieces of 20 (the largest
    multiple of 10 within 25), so 20 + 20 + 2 → 10: three orders, 50 in all."""
    out = planned(one_item(1, [42], lot_sizing={"rule": "lot_for_lot", "maximum": 25,
                                                 "multiple": 10}))
    assert [o["quantity"] for o in out["planned_orders"]] == [20, 20, 10]
    pegs = [[p["quantity"] for p in o["pegging"]] for o in out["planned_orders"]]
    assert pegs == [[20], [20], [2]]
    assert out["items"]["x"]["planned_order_receipts"] == [50]
