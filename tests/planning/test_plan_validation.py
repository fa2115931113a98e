"""A bundle that breaks a rule of plan-bundle.md: exit 2, a message naming the item,
the field and the value on standard error, and nothing on standard output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Command = Callable[[Any], tuple[int, str, str]]


def base() -> dict[str, Any]:
    return {
        "periods": 6,
        "items": [
            {"sku": "table", "lead_time": 1, "demand": {"2": 80}},
            {"sku": "leg", "on_hand": 100, "lead_time": 1},
        ],
        "bom": [{"parent": "table", "component": "leg", "qty": 4}],
    }


def with_leg(**fields: Any) -> dict[str, Any]:
    bundle = base()
    bundle["items"][1].update(fields)
    return bundle


def refused(command: Command, bundle: Any) -> str:
    status, out, err = command(bundle)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    return err


def test_negative_lead_time(command: Command) -> None:
    """The message format the issue gives, word for word."""
    err = refused(command, with_leg(lead_time=-1))
    assert 'item "leg": field "lead_time": value -1 is negative' in err


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        (with_leg(on_hand=-5), 'item "leg": field "on_hand": value -5 is negative'),
        (with_leg(demand={"3": -2}), 'item "leg": field "demand.3": value -2 is negative'),
        (with_leg(safety_stock="10"), 'item "leg": field "safety_stock": value "10" is not a number'),
        (with_leg(lead_time=1.5), 'item "leg": field "lead_time": value 1.5 is not a whole number'),
        (with_leg(scheduled_receipts={"7": 5}),
         'item "leg": field "scheduled_receipts": value "7" is not a period in 1..6'),
        (with_leg(demand={"0": 5}), 'item "leg": field "demand": value "0" is not a period in 1..6'),
        (with_leg(demand=[5]), 'item "leg": field "demand": value [5] is not an object'),
        (with_leg(lot_sizing={"rule": "economic"}),
         'item "leg": field "lot_sizing.rule": value "economic" is not one of'),
        (with_leg(lot_sizing={"rule": "fixed"}),
         'item "leg": field "lot_sizing.quantity": value null is missing: fixed needs it'),
        (with_leg(lot_sizing={"rule": "poq", "periods": 0}),
         'item "leg": field "lot_sizing.periods": value 0 is not a whole number of periods'),
        (with_leg(lot_sizing={"rule": "fixed", "quantity": 0}),
         'item "leg": field "lot_sizing.quantity": value 0 is not greater than 0'),
        (with_leg(lot_sizing={"rule": "silver_meal", "setup_cost": 5, "holding_cost": [1, 2]}),
         'item "leg": field "lot_sizing.holding_cost": value [1,2] does not have one number'),
        (with_leg(lot_sizing={"rule": "poq", "periods": 2, "quantity": 5}),
         'item "leg": field "lot_sizing.quantity": value 5 is not a parameter of poq'),
        (with_leg(lot_sizing={"rule": "lot_for_lot", "minimum": 50, "maximum": 20}),
         'item "leg": field "lot_sizing.maximum": value 20 is below the minimum'),
        (with_leg(colour="red"), 'item "leg": field "colour": value "red" is not a field'),
        (with_leg(demand={"1": 1}, forecast={"1": 2}),
         'item "leg": field "demand": value {"1":1} cannot be combined with forecast'),
        (with_leg(on_hand=0.1234567),
         'item "leg": field "on_hand": value 0.1234567 has more than 6 decimal places'),
    ],
)
def test_item_fields(command: Command, bundle: dict[str, Any], expected: str) -> None:
    """Each item field rule names the item, the field and the value."""
    assert expected in refused(command, bundle)


def test_unknown_sku_in_bom(command: Command) -> None:
    bundle = base()
    bundle["bom"].append({"parent": "table", "component": "lgo", "qty": 1})
    err = refused(command, bundle)
    assert 'item "table": field "bom[1].component": value "lgo" is not a known sku' in err


def test_negative_bom_quantity(command: Command) -> None:
    bundle = base()
    bundle["bom"][0]["qty"] = -4
    assert 'item "table": field "bom[0].qty": value -4 is negative' in refused(command, bundle)


def test_negative_scrap(command: Command) -> None:
    bundle = base()
    bundle["bom"][0]["scrap_pct"] = -1
    assert 'field "bom[0].scrap_pct": value -1 is negative' in refused(command, bundle)


def test_cycle(command: Command) -> None:
    bundle = base()
    bundle["bom"].append({"parent": "leg", "component": "table", "qty": 1})
    err = refused(command, bundle)
    assert 'item "table": field "bom": value "table -> leg -> table" is a cycle' in err


def test_explosion_too_large_for_exact_integers(command: Command) -> None:
    """A level whose largest parent release × largest factor reaches 2**62 is refused,
    naming the component of the largest factor (here from the second level)."""
    bundle = {"periods": 3,
              "items": [{"sku": "a", "demand": {"2": 9e12}},
                        {"sku": "b", "lot_sizing": {"rule": "fixed", "quantity": 7}}, {"sku": "c"}],
              "bom": [{"parent": "a", "component": "b", "qty": 1000},
                      {"parent": "b", "component": "c", "qty": 1000}]}
    err = refused(command, bundle)
    assert 'item "c": field "gross_requirements": value 9.000000000000002e+18 is too large' in err


def test_self_reference_is_a_cycle(command: Command) -> None:
    bundle = base()
    bundle["bom"].append({"parent": "leg", "component": "leg", "qty": 1})
    assert 'value "leg -> leg" is a cycle' in refused(command, bundle)


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        ({"periods": 0, "items": []}, 'bundle: field "periods": value 0 is not a whole number'),
        ({"periods": "6", "items": []}, 'bundle: field "periods": value "6" is not a whole'),
        ({"periods": 6, "items": {}}, 'bundle: field "items": value {} is not a list'),
        ({"periods": 6, "items": [{"sku": ""}]}, 'field "items[0].sku": value ""'),
        ({"periods": 6, "items": [{"sku": "a"}, {"sku": "a"}]},
         'item "a": field "sku": value "a" is a duplicate'),
        ([], 'bundle: field "bundle": value [] is not an object'),
    ],
)
def test_bundle_shape(command: Command, bundle: Any, expected: str) -> None:
    assert expected in refused(command, bundle)


def test_not_json(command: Command) -> None:
    assert "not valid JSON" in refused(command, "{periods: 6")


def test_missing_file(tmp_path: Any) -> None:
    import io

    from core.planning.cli import plan_command

    out, err = io.StringIO(), io.StringIO()
    assert plan_command(str(tmp_path / "nope.json"), out, err) == 2
    assert out.getvalue() == "" and "nope.json" in err.getvalue()
