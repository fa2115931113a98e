"""Gross-to-net: on hand, allocations, safety stock, receipts, lead time, explosion, scrap.

Hand-computed examples (the arithmetic is in each docstring), in the record
layout of Orlicky's MRP (Ptak & Smith, 3rd ed., ch. 6, the time-phased
record) and Vollmann, Berry, Whybark & Jacobs, Manufacturing Planning and
Control for Supply Chain Management, 5th ed., ch. 6 (the basic MRP record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.planning.bundles import one_item

Plan = Callable[[dict[str, Any]], dict[str, Any]]


def test_netting_with_allocation_safety_stock_and_scheduled_receipt(planned: Plan) -> None:
    """Hand-computed. POH0 = on hand 40 - allocated 10 = 30; SS 5; SR 30 in period 2.

    t1: 30 - 20 = 10.  t2: 10 + 30 - 25 = 15.  t3: NR = 30 + 5 - 15 = 20, POH 5.
    t4: NR = 10 + 5 - 5 = 10.  t5: nothing.  t6: NR 15. Lead time 2: releases
    of the receipts in 3, 4, 6 fall in 1, 2, 4. The receipt is needed on time,
    so no action message.
    """
    bundle = one_item(6, [20, 25, 30, 10, 0, 15], on_hand=40, allocated=10, safety_stock=5,
                      lead_time=2, scheduled_receipts={"2": 30})
    out = planned(bundle)
    x = out["items"]["x"]
    assert x["gross_requirements"] == [20, 25, 30, 10, 0, 15]
    assert x["scheduled_receipts"] == [0, 30, 0, 0, 0, 0]
    assert x["projected_on_hand"] == [10, 15, 5, 5, 5, 5]
    assert x["net_requirements"] == [0, 0, 20, 10, 0, 15]
    assert x["planned_order_receipts"] == [0, 0, 20, 10, 0, 15]
    assert x["planned_order_releases"] == [20, 10, 0, 15, 0, 0]
    assert out["exceptions"] == []


def test_safety_stock_below_on_hand_is_replenished_at_once(planned: Plan) -> None:
    """Hand-computed: on hand 3 < SS 10 with no demand: NR[1] = 0 + 10 - 3 = 7."""
    out = planned(one_item(3, [], on_hand=3, safety_stock=10))
    x = out["items"]["x"]
    assert x["net_requirements"] == [7, 0, 0]
    assert x["projected_on_hand"] == [10, 10, 10]
    assert out["planned_orders"][0]["pegging"] == []  # safety stock serves no demand


def test_firm_planned_receipt_is_supply_and_is_exploded(planned: Plan) -> None:
    """Hand-computed: a firm planned receipt of 50 in period 2 covers demand 30 in 2 and
    20 of the 40 in 3, so the engine plans only 20 in period 3. The firm receipt
    shows in the planned-order rows (released in 1 with lead time 1) and drives
    the component; it is not repeated in planned_orders.
    """
    bundle = {
        "periods": 3,
        "items": [
            {"sku": "a", "lead_time": 1, "demand": {"2": 30, "3": 40},
             "firm_planned_receipts": {"2": 50}},
            {"sku": "b", "on_hand": 1000},
        ],
        "bom": [{"parent": "a", "component": "b", "qty": 2}],
    }
    out = planned(bundle)
    a = out["items"]["a"]
    assert a["net_requirements"] == [0, 0, 20]
    assert a["planned_order_receipts"] == [0, 50, 20]
    assert a["planned_order_releases"] == [50, 20, 0]
    assert out["items"]["b"]["gross_requirements"] == [100, 40, 0]
    assert [(o["sku"], o["quantity"]) for o in out["planned_orders"]] == [("a", 20)]


def test_multi_level_explosion_with_scrap_and_low_level_codes(planned: Plan) -> None:
    """Hand-computed four-level product. A (LT 1) needs 10 in period 3.

    B = 2 per A with 10 % scrap (factor 2.2): GR[2] = 10 × 2.2 = 22, on hand 5,
    so NR 17, released in 1. C = 3 per B, LT 0: GR[1] = 51. D is used by A (1)
    and by C (2), so its low-level code is 3, below C: GR = [51×2, 10, 0, 0] =
    [102, 10, 0, 0]; on hand 100, LT 1: 2 is needed in period 1 (past due by
    1 period) and 10 in period 2.
    """
    bundle = {
        "periods": 4,
        "items": [
            {"sku": "D", "on_hand": 100, "lead_time": 1},
            {"sku": "C"},
            {"sku": "B", "on_hand": 5, "lead_time": 1},
            {"sku": "A", "lead_time": 1, "demand": {"3": 10}},
        ],
        "bom": [
            {"parent": "A", "component": "B", "qty": 2, "scrap_pct": 10},
            {"parent": "B", "component": "C", "qty": 3},
            {"parent": "C", "component": "D", "qty": 2},
            {"parent": "A", "component": "D", "qty": 1},
        ],
    }
    out = planned(bundle)
    items = out["items"]
    assert list(items) == ["A", "B", "C", "D"]
    assert [items[s]["low_level_code"] for s in "ABCD"] == [0, 1, 2, 3]
    assert items["A"]["planned_order_releases"] == [0, 10, 0, 0]
    assert items["B"]["gross_requirements"] == [0, 22, 0, 0]
    assert items["B"]["planned_order_releases"] == [17, 0, 0, 0]
    assert items["C"]["gross_requirements"] == [51, 0, 0, 0]
    assert items["D"]["gross_requirements"] == [102, 10, 0, 0]
    assert items["D"]["planned_order_releases"] == [12, 0, 0, 0]
    d_orders = [o for o in out["planned_orders"] if o["sku"] == "D"]
    assert d_orders == [
        {"sku": "D", "quantity": 2, "release_period": 1, "receipt_period": 1,
         "pegging": [{"sku": "C", "period": 1, "quantity": 2, "source": "parent"}]},
        {"sku": "D", "quantity": 10, "release_period": 1, "receipt_period": 2,
         "pegging": [{"sku": "A", "period": 2, "quantity": 10, "source": "parent"}]},
    ]
    assert out["exceptions"] == [
        {"sku": "D", "kind": "past_due", "period": 1, "periods_late": 1,
         "message": "D: 2 must be released 1 period before period 1"},
    ]


def test_pegging_splits_a_lot_over_demand_and_parents(planned: Plan) -> None:
    """Hand-computed FIFO pegging. Item p has its own demand 5 in period 2 and is
    used by a (2 per, release 10 in 2) and b (1 per, release 4 in 3). A POQ(2)
    lot in period 2 covers 5 + 20 (period 2) and 4 (period 3): 29, pegged in
    period order, own demand first, then parents in output order.
    """
    bundle = {
        "periods": 3,
        "items": [
            {"sku": "a", "lead_time": 0, "demand": {"2": 10}},
            {"sku": "b", "lead_time": 0, "demand": {"3": 4}},
            {"sku": "p", "demand": {"2": 5}, "lot_sizing": {"rule": "poq", "periods": 2}},
        ],
        "bom": [{"parent": "b", "component": "p", "qty": 1},
                {"parent": "a", "component": "p", "qty": 2}],
    }
    out = planned(bundle)
    p_orders = [o for o in out["planned_orders"] if o["sku"] == "p"]
    assert p_orders == [{
        "sku": "p", "quantity": 29, "release_period": 2, "receipt_period": 2,
        "pegging": [
            {"sku": "p", "period": 2, "quantity": 5, "source": "demand"},
            {"sku": "a", "period": 2, "quantity": 20, "source": "parent"},
            {"sku": "b", "period": 3, "quantity": 4, "source": "parent"},
        ],
    }]


def test_past_due_by_two_periods(planned: Plan) -> None:
    """Hand-computed: lead time 2 and a need in period 1: released 2 periods late."""
    out = planned(one_item(3, [10], lead_time=2))
    assert out["items"]["x"]["planned_order_releases"] == [10, 0, 0]
    assert out["exceptions"] == [
        {"sku": "x", "kind": "past_due", "period": 1, "periods_late": 2,
         "message": "x: 10 must be released 2 periods before period 1"},
    ]


def test_allocated_above_on_hand_is_a_requirement_in_period_one(planned: Plan) -> None:
    """Hand-computed: on hand 5, allocated 8: POH0 = -3, so period 1 nets 3 + 4 = 7."""
    x = planned(one_item(2, [4], on_hand=5, allocated=8))["items"]["x"]
    assert x["net_requirements"] == [7, 0]
    assert x["projected_on_hand"] == [0, 0]


def test_exact_decimals_from_scrap(planned: Plan) -> None:
    """Hand-computed: 0.5 per parent with 3 % scrap is 0.515; 7 parents need 3.605."""
    bundle = {
        "periods": 2,
        "items": [{"sku": "p", "demand": {"1": 7}}, {"sku": "c"}],
        "bom": [{"parent": "p", "component": "c", "qty": 0.5, "scrap_pct": 3}],
    }
    c = planned(bundle)["items"]["c"]
    assert c["gross_requirements"] == [3.605, 0]
    assert c["planned_order_receipts"] == [3.605, 0]


def test_decimal_inputs_stay_exact(planned: Plan) -> None:
    """Hand-computed: 0.1 + 0.2 is 0.3, not 0.30000000000000004."""
    x = planned(one_item(2, [0.1, 0.2], on_hand=0.05))["items"]["x"]
    assert x["net_requirements"] == [0.05, 0.2]
    assert x["projected_on_hand"] == [0, 0]
    assert isinstance(x["projected_on_hand"][0], int)


def test_more_than_six_decimal_places_round_up(planned: Plan) -> None:
    """Hand-computed: 1 × 0.333333 × 0.333333 = 0.111110888889 needs 12 places; the plan
    keeps 6 and rounds the requirement up (core.planning.quantities): 0.111111."""
    bundle = {
        "periods": 1,
        "items": [{"sku": "a", "demand": {"1": 1}}, {"sku": "b"}, {"sku": "c"}],
        "bom": [{"parent": "a", "component": "b", "qty": 0.333333},
                {"parent": "b", "component": "c", "qty": 0.333333}],
    }
    items = planned(bundle)["items"]
    assert items["b"]["gross_requirements"] == [0.333333]
    assert items["c"]["gross_requirements"] == [0.111111]
