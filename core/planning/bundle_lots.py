"""Validation of one item's ``lot_sizing`` object (plan-bundle.md, "Lot-sizing rules")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from core.planning.errors import BundleError
from core.planning.item_record import CostParams
from core.planning.lot_sizing import EOQ, FIXED, LOT_FOR_LOT, POQ, RULES
from core.planning.quantities import exact_decimal

COST_PARAMETERS = ("setup_cost", "holding_cost")
PARAMETERS: dict[str, tuple[str, ...]] = {
    "lot_for_lot": (),
    "fixed": ("quantity",),
    "eoq": ("annual_demand", "setup_cost", "holding_cost_per_unit_year"),
    "poq": ("periods",),
    "least_unit_cost": COST_PARAMETERS,
    "least_total_cost": COST_PARAMETERS,
    "silver_meal": COST_PARAMETERS,
    "wagner_whitin": COST_PARAMETERS,
}
MODIFIERS = ("minimum", "maximum", "multiple")

# (sku, field, value) -> the checked number; the caller tracks decimal places.
QuantityCheck = Callable[[str, str, Any], int | float]


@dataclass(frozen=True)
class LotInput:
    """A validated rule with quantities as given (not yet scaled); 0 = not set."""

    rule: int = LOT_FOR_LOT
    quantity: int | float = 0
    periods: int = 1
    minimum: int | float = 0
    maximum: int | float = 0
    multiple: int | float = 0
    costs: CostParams | None = None


DEFAULT_LOT = LotInput()


def parse_lot_sizing(sku: str, raw: Any, periods: int, quantity: QuantityCheck) -> LotInput:
    """Validate ``raw`` (the item's ``lot_sizing``); errors name ``lot_sizing.<field>``."""
    if raw is None:
        return DEFAULT_LOT
    simple = _simple(raw)
    if simple is not None:
        return simple
    if not isinstance(raw, dict):
        raise BundleError(sku, "lot_sizing", raw, "is not an object with a rule")
    name = raw.get("rule")
    if not isinstance(name, str) or name not in RULES:
        raise BundleError(sku, "lot_sizing.rule", name, f"is not one of {', '.join(RULES)}")
    allowed = {"rule", *PARAMETERS[name], *MODIFIERS}
    for key in raw:
        if key not in allowed:
            raise BundleError(sku, f"lot_sizing.{key}", raw[key], f"is not a parameter of {name}")
    for key in PARAMETERS[name]:
        if key not in raw:
            raise BundleError(sku, f"lot_sizing.{key}", None, f"is missing: {name} needs it")
    mods = {key: quantity(sku, f"lot_sizing.{key}", raw[key]) if key in raw else 0
            for key in MODIFIERS}
    if any(mods.values()):
        _check_modifiers(sku, mods)
    rule = RULES[name]
    return LotInput(rule, _lot_quantity(sku, rule, raw, quantity), _poq_periods(sku, rule, raw),
                    mods["minimum"], mods["maximum"], mods["multiple"],
                    _costs(sku, raw, periods) if name in _COST_RULE_NAMES else None)


def _simple(raw: Any) -> LotInput | None:
    """The common rules with one whole parameter and no modifiers, checked quickly."""
    if type(raw) is not dict or len(raw) > 2:
        return None
    name = raw.get("rule")
    if name == "lot_for_lot" and len(raw) == 1:
        return DEFAULT_LOT
    if name == "fixed":
        value = raw.get("quantity")
        if type(value) is int and value > 0:
            return LotInput(FIXED, quantity=value)
    if name == "poq":
        value = raw.get("periods")
        if type(value) is int and value > 0:
            return LotInput(POQ, periods=value)
    return None


_COST_RULE_NAMES = {name for name, params in PARAMETERS.items() if params == COST_PARAMETERS}


def _positive(sku: str, field: str, value: int | float) -> None:
    if value <= 0:
        raise BundleError(sku, field, value, "is not greater than 0")


def _lot_quantity(sku: str, rule: int, raw: dict[str, Any], quantity: QuantityCheck) -> int | float:
    if rule == EOQ:
        return _eoq(sku, raw)
    if "quantity" not in raw:
        return 0
    value = quantity(sku, "lot_sizing.quantity", raw["quantity"])
    _positive(sku, "lot_sizing.quantity", value)
    return value


def _poq_periods(sku: str, rule: int, raw: dict[str, Any]) -> int:
    if rule != POQ:
        return 1
    value = raw["periods"]
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int or value < 1:
        raise BundleError(sku, "lot_sizing.periods", value, "is not a whole number of periods >= 1")
    return value


def _cost(sku: str, field: str, value: Any) -> Fraction:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise BundleError(sku, field, value, "is not a number")
    if value < 0:
        raise BundleError(sku, field, value, "is negative")
    return Fraction(exact_decimal(value))


def _eoq(sku: str, raw: dict[str, Any]) -> int:
    demand = _cost(sku, "lot_sizing.annual_demand", raw["annual_demand"])
    setup = _cost(sku, "lot_sizing.setup_cost", raw["setup_cost"])
    holding = _cost(sku, "lot_sizing.holding_cost_per_unit_year", raw["holding_cost_per_unit_year"])
    _positive(sku, "lot_sizing.holding_cost_per_unit_year", raw["holding_cost_per_unit_year"])
    square = 2 * demand * setup / holding
    root = (Decimal(square.numerator) / Decimal(square.denominator)).sqrt()
    lot = int(root.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if lot < 1:
        raise BundleError(sku, "lot_sizing.annual_demand", raw["annual_demand"],
                          "gives an economic order quantity of 0")
    return lot


def _costs(sku: str, raw: dict[str, Any], periods: int) -> CostParams:
    per_period = []
    for key in COST_PARAMETERS:
        value, field = raw[key], f"lot_sizing.{key}"
        if isinstance(value, list):
            if len(value) != periods:
                problem = f"does not have one number per period ({periods})"
                raise BundleError(sku, field, value, problem)
            per_period.append(tuple(_cost(sku, f"{field}[{i}]", v) for i, v in enumerate(value)))
        else:
            per_period.append((_cost(sku, field, value),) * periods)
    return CostParams(per_period[0], per_period[1])


def _check_modifiers(sku: str, mods: dict[str, int | float]) -> None:
    for key in ("maximum", "multiple"):
        if mods[key] != 0:
            _positive(sku, f"lot_sizing.{key}", mods[key])
    low, high, step = (exact_decimal(mods[key]) for key in MODIFIERS)
    if not high:
        return
    if low > high:
        raise BundleError(sku, "lot_sizing.maximum", mods["maximum"], "is below the minimum")
    # Some order size must meet all three: a multiple of step within [low, high].
    smallest = max(low, step) if step else low
    if step and (smallest / step).to_integral_value(rounding=ROUND_CEILING) * step > high:
        raise BundleError(sku, "lot_sizing.maximum", mods["maximum"],
                          "leaves no multiple of the multiple between minimum and maximum")
