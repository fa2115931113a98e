"""Action messages for scheduled receipts: expedite, defer, cancel.

Convention of Orlicky's MRP (Ptak & Smith, 3rd ed., ch. 8, "rescheduling") and
Vollmann et al. (5th ed., ch. 6, "rescheduling open orders"): an open order
is rescheduled to the period whose net requirement it would cover. Here
"well before" means more than one period early (see core.planning.exceptions).
Hand-computed examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.planning.bundles import one_item

Plan = Callable[[dict[str, Any]], dict[str, Any]]


def messages(planned: Plan, demand: list[int], receipts: dict[str, int],
             **fields: Any) -> list[dict[str, Any]]:
    out = planned(one_item(len(demand), demand, scheduled_receipts=receipts, **fields))
    return out["exceptions"]


def test_expedite_a_late_receipt(planned: Plan) -> None:
    """50 needed in period 2, the open order arrives in 4: expedite by 2 periods."""
    assert messages(planned, [0, 50, 0, 0], {"4": 50}) == [
        {"sku": "x", "kind": "expedite", "period": 4, "need_period": 2,
         "message": "x: scheduled receipt of 50 due in period 4 is needed in period 2: "
                    "expedite 2 periods"},
    ]


def test_defer_an_early_receipt(planned: Plan) -> None:
    """Needed in 6, due in 2: four periods early, well before: defer."""
    assert messages(planned, [0, 0, 0, 0, 0, 50], {"2": 50}) == [
        {"sku": "x", "kind": "defer", "period": 2, "need_period": 6,
         "message": "x: scheduled receipt of 50 due in period 2 is not needed until period 6: "
                    "defer 4 periods"},
    ]


def test_one_period_early_is_not_a_message(planned: Plan) -> None:
    """Needed in 6, due in 5: within the one-period tolerance."""
    assert messages(planned, [0, 0, 0, 0, 0, 50], {"5": 50}) == []


def test_cancel_an_unneeded_receipt(planned: Plan) -> None:
    """No requirement in the horizon: cancel."""
    assert messages(planned, [0, 0, 0], {"3": 20}) == [
        {"sku": "x", "kind": "cancel", "period": 3,
         "message": "x: scheduled receipt of 20 due in period 3 is not needed: cancel"},
    ]


def test_stock_is_used_before_a_receipt(planned: Plan) -> None:
    """On hand 30 covers period 1 (30); the receipt of 40 in period 2 covers period 3's
    40 (needed in 3, due in 2: one period early, no message); the second receipt in
    period 3 covers the 10 of period 4 and is on time."""
    assert messages(planned, [30, 0, 40, 10], {"2": 40, "3": 10}, on_hand=30) == []


def test_safety_stock_makes_a_receipt_needed(planned: Plan) -> None:
    """On hand 10 below safety stock 15: the receipt due in 3 is needed in period 1."""
    found = messages(planned, [0, 0, 0], {"3": 5}, on_hand=10, safety_stock=15)
    assert [(m["kind"], m["need_period"]) for m in found] == [("expedite", 1)]


def test_messages_are_in_output_order(planned: Plan) -> None:
    """Past due and rescheduling messages, by item (low-level code, sku) then period."""
    bundle = {
        "periods": 3,
        "items": [
            {"sku": "b", "scheduled_receipts": {"1": 5}},
            {"sku": "a", "lead_time": 1, "demand": {"1": 4}, "scheduled_receipts": {"3": 9}},
        ],
    }
    found = planned(bundle)["exceptions"]
    assert [(m["sku"], m["kind"]) for m in found] == [
        ("a", "past_due"), ("a", "expedite"), ("b", "cancel")]
