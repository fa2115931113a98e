"""Turning raw item fields (JSON, a form or a CSV row) into checked values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.catalog.lot_sizing import validate_lot_sizing
from core.errors import InvalidInput

KINDS = ("make", "buy")
TRACKING = ("none", "lot", "serial")
ITEM_FIELDS = (
    "sku", "name", "uom", "kind", "lead_time_days", "safety_stock", "lot_sizing",
    "tracking", "shelf_life_days", "standard_cost", "allow_negative_stock",
)
DEFAULTS: dict[str, Any] = {
    "uom": "EA", "kind": "buy", "lead_time_days": 0, "safety_stock": Decimal(0),
    "lot_sizing": {"rule": "lot_for_lot"}, "tracking": "none", "shelf_life_days": None,
    "standard_cost": Decimal(0), "allow_negative_stock": False,
}


def _text(value: Any, field: str, max_len: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field)
    value = value.strip()
    if not value:
        raise InvalidInput(f"{field} must not be empty", field)
    if len(value) > max_len:
        raise InvalidInput(f"{field} must be at most {max_len} characters", field)
    return value


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float) and value != value:
        raise InvalidInput(f"{field} must be a number", field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"{field} must be a number, got {value!r}", field) from exc
    if not number.is_finite() or number < 0:
        raise InvalidInput(f"{field} must be a number of at least 0", field)
    if number >= Decimal("1e14") or number.as_tuple().exponent < -6:  # type: ignore[operator]
        raise InvalidInput(f"{field} is out of range (at most 14 digits, 6 decimals)", field)
    return number


def _whole(value: Any, field: str, maximum: int = 3650) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a whole number", field)
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a whole number, got {value!r}", field) from exc
    if not 0 <= number <= maximum:
        raise InvalidInput(f"{field} must be between 0 and {maximum}", field)
    return number


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off", ""):
        return False
    raise InvalidInput(f"{field} must be true or false", field)


def _choice(value: Any, field: str, options: tuple[str, ...]) -> str:
    text = str(value).strip().lower()
    if text not in options:
        raise InvalidInput(f"{field} must be one of: {', '.join(options)}", field)
    return text


def _clean_field(name: str, value: Any) -> Any:
    if name == "sku":
        return _text(value, name, 64)
    if name == "name":
        return _text(value, name, 200)
    if name == "uom":
        return _text(value, name, 16).upper()
    if name == "kind":
        return _choice(value, name, KINDS)
    if name == "tracking":
        return _choice(value, name, TRACKING)
    if name in ("safety_stock", "standard_cost"):
        return _decimal(value, name)
    if name == "lead_time_days":
        return _whole(value, name)
    if name == "shelf_life_days":
        return None if value in (None, "") else _whole(value, name, 36500)
    if name == "allow_negative_stock":
        return _flag(value, name)
    return validate_lot_sizing(value)


def clean_item_fields(raw: Mapping[str, Any], partial: bool = False) -> dict[str, Any]:
    """Checked item fields; raise :class:`InvalidInput` naming the first bad field.

    With ``partial`` (an update) only the given fields are checked and returned;
    otherwise ``sku`` and ``name`` are required and the rest take their defaults.
    """
    unknown = sorted(set(raw) - set(ITEM_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not an item field", unknown[0])
    clean: dict[str, Any] = {} if partial else dict(DEFAULTS)
    for name in ITEM_FIELDS:
        if name in raw and not (raw[name] is None and name in ("sku", "name") and partial):
            if raw[name] is None and name in DEFAULTS:
                clean[name] = DEFAULTS[name]
                continue
            clean[name] = _clean_field(name, raw[name])
        elif not partial and name in ("sku", "name"):
            raise InvalidInput(f"{name} is required", name)
    return clean
