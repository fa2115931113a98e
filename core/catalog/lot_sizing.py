"""Validation of an item's lot-sizing rule and parameters (the plan-bundle vocabulary)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import InvalidInput

#: Parameters each rule needs, beyond the optional minimum / maximum / multiple.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "lot_for_lot": (),
    "fixed": ("quantity",),
    "eoq": ("annual_demand", "setup_cost", "holding_cost_per_unit_year"),
    "poq": ("periods",),
    "least_unit_cost": ("setup_cost", "holding_cost"),
    "least_total_cost": ("setup_cost", "holding_cost"),
    "silver_meal": ("setup_cost", "holding_cost"),
    "wagner_whitin": ("setup_cost", "holding_cost"),
}
MODIFIERS = ("minimum", "maximum", "multiple")
_POSITIVE = {"quantity", "periods", "holding_cost_per_unit_year", "multiple"}


def _number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number", field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"{field} must be a number, got {value!r}", field) from exc
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number", field)
    return number


def validate_lot_sizing(raw: Any) -> dict[str, Any]:
    """Return a clean ``{"rule": ..., params...}`` or raise naming ``lot_sizing.<field>``."""
    if raw is None:
        return {"rule": "lot_for_lot"}
    if not isinstance(raw, dict):
        raise InvalidInput("lot_sizing must be an object with a rule", "lot_sizing")
    rule = raw.get("rule", "lot_for_lot")
    if rule not in RULE_PARAMETERS:
        known = ", ".join(RULE_PARAMETERS)
        raise InvalidInput(f"lot_sizing.rule {rule!r} is not one of: {known}", "lot_sizing.rule")
    allowed = set(RULE_PARAMETERS[rule]) | set(MODIFIERS)
    unknown = sorted(set(raw) - allowed - {"rule"})
    if unknown:
        field = f"lot_sizing.{unknown[0]}"
        raise InvalidInput(f"{field} is not a parameter of rule {rule}", field)
    clean: dict[str, Any] = {"rule": rule}
    for name in RULE_PARAMETERS[rule]:
        if raw.get(name) in (None, ""):
            field = f"lot_sizing.{name}"
            raise InvalidInput(f"{field} is required by rule {rule}", field)
    for name in sorted(allowed):
        if raw.get(name) in (None, ""):
            continue
        clean[name] = _check_parameter(name, raw[name])
    _check_bounds(clean)
    return clean


def _check_parameter(name: str, value: Any) -> Any:
    field = f"lot_sizing.{name}"
    if name == "holding_cost" and isinstance(value, list):
        return [float(_non_negative(_number(v, field), field)) for v in value]
    if name == "setup_cost" and isinstance(value, list):
        return [float(_non_negative(_number(v, field), field)) for v in value]
    number = _non_negative(_number(value, field), field)
    if name in _POSITIVE and number <= 0:
        raise InvalidInput(f"{field} must be greater than 0", field)
    if name == "periods" and number != number.to_integral_value():
        raise InvalidInput(f"{field} must be a whole number of periods", field)
    return int(number) if number == number.to_integral_value() else float(number)


def _non_negative(number: Decimal, field: str) -> Decimal:
    if number < 0:
        raise InvalidInput(f"{field} must not be negative", field)
    return number


def _check_bounds(clean: dict[str, Any]) -> None:
    low, high = clean.get("minimum"), clean.get("maximum")
    if low is not None and high is not None and high < low:
        raise InvalidInput("lot_sizing.maximum must not be below minimum", "lot_sizing.maximum")
