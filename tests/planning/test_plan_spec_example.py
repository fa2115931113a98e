"""The worked example of shared/formats/plan-bundle.md, reproduced exactly."""

from __future__ import annotations

import io
import sys
from typing import Any

import orjson
import pytest

from core.planning.cli import plan_command

SPEC_BUNDLE: dict[str, Any] = {
    "periods": 6,
    "items": [
        {
            "sku": "table",
            "on_hand": 50,
            "allocated": 0,
            "lead_time": 1,
            "safety_stock": 0,
            "lot_sizing": {"rule": "lot_for_lot"},
            "scheduled_receipts": {},
            "demand": {"2": 80, "4": 60, "6": 40},
        },
        {"sku": "leg", "on_hand": 100, "lead_time": 1},
    ],
    "bom": [{"parent": "table", "component": "leg", "qty": 4}],
}

ZERO = [0, 0, 0, 0, 0, 0]
# The spec shows the table record in full and the leg record shortened; the leg
# arrays below follow from its rules: GR = 4 × table releases, POH0 = 100.
EXPECTED: dict[str, Any] = {
    "periods": 6,
    "items": {
        "table": {
            "low_level_code": 0,
            "gross_requirements": [0, 80, 0, 60, 0, 40],
            "scheduled_receipts": ZERO,
            "projected_on_hand": [50, 0, 0, 0, 0, 0],
            "net_requirements": [0, 30, 0, 60, 0, 40],
            "planned_order_receipts": [0, 30, 0, 60, 0, 40],
            "planned_order_releases": [30, 0, 60, 0, 40, 0],
        },
        "leg": {
            "low_level_code": 1,
            "gross_requirements": [120, 0, 240, 0, 160, 0],
            "scheduled_receipts": ZERO,
            "projected_on_hand": ZERO,
            "net_requirements": [20, 0, 240, 0, 160, 0],
            "planned_order_receipts": [20, 0, 240, 0, 160, 0],
            "planned_order_releases": [20, 240, 0, 160, 0, 0],
        },
    },
    "planned_orders": [
        {"sku": "table", "quantity": 30, "release_period": 1, "receipt_period": 2,
         "pegging": [{"sku": "table", "period": 2, "quantity": 30, "source": "demand"}]},
        {"sku": "table", "quantity": 60, "release_period": 3, "receipt_period": 4,
         "pegging": [{"sku": "table", "period": 4, "quantity": 60, "source": "demand"}]},
        {"sku": "table", "quantity": 40, "release_period": 5, "receipt_period": 6,
         "pegging": [{"sku": "table", "period": 6, "quantity": 40, "source": "demand"}]},
        {"sku": "leg", "quantity": 20, "release_period": 1, "receipt_period": 1,
         "pegging": [{"sku": "table", "period": 1, "quantity": 20, "source": "parent"}]},
        {"sku": "leg", "quantity": 240, "release_period": 2, "receipt_period": 3,
         "pegging": [{"sku": "table", "period": 3, "quantity": 240, "source": "parent"}]},
        {"sku": "leg", "quantity": 160, "release_period": 4, "receipt_period": 5,
         "pegging": [{"sku": "table", "period": 5, "quantity": 160, "source": "parent"}]},
    ],
    "exceptions": [
        {"sku": "leg", "kind": "past_due", "period": 1, "periods_late": 1,
         "message": "leg: 20 must be released 1 period before period 1"},
    ],
}


def test_spec_example_output_is_exact(command: Any) -> None:
    """plan-bundle.md "Output": every number of the table record and the past-due leg."""
    status, out, err = command(SPEC_BUNDLE)
    assert (status, err) == (0, "")
    assert orjson.loads(out) == EXPECTED
    assert out.endswith("\n")


def test_spec_example_key_order_follows_the_spec(command: Any) -> None:
    """Items in low-level-code order, keys in the order the spec prints them."""
    _, out, _ = command(SPEC_BUNDLE)
    result = orjson.loads(out)
    assert list(result) == ["periods", "items", "planned_orders", "exceptions"]
    assert list(result["items"]) == ["table", "leg"]
    assert list(result["items"]["table"])[:2] == ["low_level_code", "gross_requirements"]


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """``plantops plan -`` reads the bundle from standard input."""
    fake = io.TextIOWrapper(io.BytesIO(orjson.dumps(SPEC_BUNDLE)))
    monkeypatch.setattr(sys, "stdin", fake)
    out, err = io.StringIO(), io.StringIO()
    assert plan_command("-", out, err) == 0
    assert orjson.loads(out.getvalue()) == EXPECTED


def test_skus_needing_json_escapes(planned: Any) -> None:
    """Quotes, backslashes and non-ASCII skus come out as orjson writes them."""
    from core.planning.bundle import parse_bundle
    from core.planning.plan_json import dumps_plan, plan_json
    from core.planning.plan_output import render_plan
    from core.planning.planner import plan

    bundle = {"periods": 2, "items": [{"sku": 'pl"ate\\ø', "demand": {"1": 3}},
                                      {"sku": "vis ✓", "on_hand": 1}],
              "bom": [{"parent": 'pl"ate\\ø', "component": "vis ✓", "qty": 2}]}
    result = plan(parse_bundle(bundle))
    assert plan_json(result) == dumps_plan(render_plan(result))
    assert list(planned(bundle)["items"]) == ['pl"ate\\ø', "vis ✓"]
