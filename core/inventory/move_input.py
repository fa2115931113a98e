"""Checking a ``MoveRequest`` before anything is read or written: each rule names its field."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from core.errors import InvalidInput
from core.inventory.models import MOVE_KINDS
from core.inventory.move_types import MoveRequest, direction_of

MAX_AMOUNT = Decimal("1e14")


def amount(value: Any, field: str, positive: bool = True) -> Decimal:
    """An exact decimal: finite, at most 14 digits before and 6 after the point."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidInput(f"{field} must be an exact decimal number (a JSON string or number)", field)
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise InvalidInput(f"{field} must be a number, got {value!r}", field) from exc
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number", field)
    if positive and number <= 0:
        raise InvalidInput(f"{field} must be greater than 0", field)
    if number < 0:
        raise InvalidInput(f"{field} must not be negative", field)
    exponent = number.as_tuple().exponent
    if abs(number) >= MAX_AMOUNT or (isinstance(exponent, int) and exponent < -6
                                     and number != number.quantize(Decimal("0.000001"))):
        raise InvalidInput(f"{field} is out of range (at most 14 digits and 6 decimals)", field)
    return number


def text(value: Any, field: str, max_len: int, required: bool = False) -> str | None:
    """Stripped text of at most ``max_len`` characters; None when absent and optional."""
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise InvalidInput(f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field)
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"{field} is required", field)
    if len(cleaned) > max_len:
        raise InvalidInput(f"{field} must be at most {max_len} characters", field)
    return cleaned


def _serials(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidInput("serials must be a list of serial numbers", "serials")
    cleaned = tuple(text(v, "serials", 64, required=True) or "" for v in values)
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("serials must not repeat a serial number", "serials")
    return cleaned


def _locations(kind: str, source: str | None, target: str | None) -> None:
    need_from = kind in ("issue", "scrap", "transfer")
    need_to = kind in ("receipt", "transfer")
    if kind == "adjustment":
        if (source is None) == (target is None):
            raise InvalidInput("an adjustment has either to_location (a gain) or from_location "
                               "(a loss), not both and not neither", "to_location")
        return
    for field, value, needed in (("from_location", source, need_from), ("to_location", target, need_to)):
        if needed and value is None:
            raise InvalidInput(f"a {kind} needs {field}", field)
        if not needed and value is not None:
            raise InvalidInput(f"a {kind} has no {field}", field)
    if source is not None and source == target:
        raise InvalidInput("from_location and to_location must differ", "to_location")


def clean_request(request: MoveRequest) -> MoveRequest:
    """The request with text stripped and every shape rule checked (422 naming the field)."""
    if request.kind not in MOVE_KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(MOVE_KINDS)}", "kind")
    source = text(request.from_location, "from_location", 64)
    target = text(request.to_location, "to_location", 64)
    _locations(request.kind, source, target)
    inbound = direction_of(source, target) == "in"
    values: dict[str, Any] = {
        "sku": text(request.sku, "sku", 64, required=True),
        "quantity": amount(request.quantity, "quantity"),
        # 190, not 200: the moves of a split posting add "#2", "#3"… to the key.
        "idempotency_key": text(request.idempotency_key, "idempotency_key", 190, required=True),
        "from_location": source, "to_location": target,
        "lot": text(request.lot, "lot", 64),
        "supplier_lot": text(request.supplier_lot, "supplier_lot", 64),
        "serials": _serials(request.serials),
        "reason": text(request.reason, "reason", 200),
        "reference_type": text(request.reference_type, "reference", 32),
        "reference_id": text(request.reference_id, "reference", 64),
    }
    if request.unit_cost is not None:
        if not inbound:
            raise InvalidInput("unit_cost applies only to moves that bring stock in", "unit_cost")
        values["unit_cost"] = amount(request.unit_cost, "unit_cost", positive=False)
    for name in ("expiry_date", "supplier_lot"):
        if (values.get(name) or getattr(request, name)) is not None and not inbound:
            raise InvalidInput(f"{name} describes a new lot: only for moves that bring stock in", name)
    if (values["reference_type"] is None) != (values["reference_id"] is None):
        raise InvalidInput("reference needs both type and id", "reference")
    if request.reservation_id is not None and request.kind != "issue":
        raise InvalidInput("reservation_id applies only to issues", "reservation_id")
    return dataclasses.replace(request, **values)
