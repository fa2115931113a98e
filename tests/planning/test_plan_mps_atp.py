"""MPS gross requirements (demand time fence) and discrete available-to-promise.

Conventions of the APICS CPIM MPS record (also Vollmann, Berry, Whybark &
Jacobs, Manufacturing Planning and Control, 5th ed., ch. 3, "available to
promise"): inside the demand time fence only customer orders count, beyond
it the larger of forecast and orders; discrete ATP in period 1 is on hand
plus the MPS less the orders until the next MPS, elsewhere the MPS less the
orders until the next one. The numbers are hand-computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Plan = Callable[[dict[str, Any]], dict[str, Any]]


def mps_item(orders: dict[str, int], **fields: Any) -> dict[str, Any]:
    item = {"sku": "m", "on_hand": 20, "lead_time": 0, "demand_time_fence": 2,
            "lot_sizing": {"rule": "fixed", "quantity": 60},
            "forecast": {str(p): 30 for p in range(1, 7)}, "customer_orders": orders, **fields}
    return {"periods": 6, "items": [item]}


def test_mps_gross_requirement_and_atp(planned: Plan) -> None:
    """Hand-computed. Fence 2: GR = 25, 10 (orders only), then max(30, orders): 30, 30, 40, 30.

    POH0 20. t1: NR 5 → 60 (55). t2: 45. t3: 15. t4: NR 15 → 60 (45). t5: 5.
    t6: NR 25 → 60 (35). MPS in 1, 4, 6. ATP: t1 = 20 + 60 - (25+10+5) = 40;
    t4 = 60 - 40 = 20; t6 = 60.
    """
    m = planned(mps_item({"1": 25, "2": 10, "3": 5, "5": 40}))["items"]["m"]
    assert m["gross_requirements"] == [25, 10, 30, 30, 40, 30]
    assert m["planned_order_receipts"] == [60, 0, 0, 60, 0, 60]
    assert m["projected_on_hand"] == [55, 45, 15, 45, 5, 35]
    assert m["available_to_promise"] == [40, 0, 0, 20, 0, 60]


def test_negative_atp_borrows_from_earlier_periods(planned: Plan) -> None:
    """Hand-computed. Orders of 70 in period 5 exceed its MPS of 60.

    GR = 25, 10, 30, 30, 70, 30; MPS in 1, 4, 5 (t5: NR 70 - 45 = 25 → 60).
    ATP t1 = 80 - 40 = 40, t4 = 60 - 0 = 60, t5 = 60 - 70 = -10: borrowed from
    period 4, which keeps 50.
    """
    m = planned(mps_item({"1": 25, "2": 10, "3": 5, "5": 70}))["items"]["m"]
    assert m["planned_order_receipts"] == [60, 0, 0, 60, 60, 0]
    assert m["available_to_promise"] == [40, 0, 0, 50, 0, 0]


def test_large_first_period_order_takes_several_lots(planned: Plan) -> None:
    """Hand-computed: fence 6, orders 150 in period 1, on hand 20: NR 130 → three lots
    of 60 = 180; ATP = 20 + 180 - 150 = 50 and nothing later."""
    m = planned(mps_item({"1": 150}, demand_time_fence=6))["items"]["m"]
    assert m["planned_order_receipts"][0] == 180
    assert m["available_to_promise"] == [50, 0, 0, 0, 0, 0]


def test_atp_only_for_items_with_customer_orders(planned: Plan) -> None:
    """An item planned from forecast alone gets no ATP row; inside the fence it has no GR."""
    bundle = {"periods": 3, "items": [{"sku": "f", "forecast": {"1": 5, "3": 5},
                                       "demand_time_fence": 1}]}
    f = planned(bundle)["items"]["f"]
    assert "available_to_promise" not in f
    assert f["gross_requirements"] == [0, 0, 5]


def test_scheduled_receipt_counts_as_mps_supply(planned: Plan) -> None:
    """Hand-computed: SR 30 in period 2, on hand 0, orders 10 in 2 and 15 in 3:
    ATP t1 = 0 (no MPS, no orders before 2), t2 = 30 - 25 = 5."""
    bundle = {"periods": 3, "items": [{"sku": "s", "scheduled_receipts": {"2": 30},
                                       "customer_orders": {"2": 10, "3": 15}}]}
    s = planned(bundle)["items"]["s"]
    assert s["available_to_promise"] == [0, 5, 0]
