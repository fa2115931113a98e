"""Valuation arithmetic, pure: FIFO layers and moving average on exact decimals.

The position of an item is its quantity and value over all locations. Money is rounded
to 6 decimals (half-even) only where a division or a product forces it, and a move that
takes everything that is left takes exactly the value that is left, so no dust remains.

Negative stock (only for items that allow it): an outbound move beyond the stock is
costed, for the missing part, at the last known unit cost (the last FIFO layer used, or
the last average), else the item's standard cost. The next inbound move settles the
negative position first: the units that fill the hole leave the position at the value
they were booked at, and the difference with what they cost now is the move's
``variance`` (charged to cost of goods sold). Only the rest becomes a new layer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

STEP = Decimal("0.000001")
ZERO = Decimal(0)


def money(value: Decimal) -> Decimal:
    """Rounded to the stored scale (6 decimals, half-even)."""
    return value.quantize(STEP, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Position:
    """An item's whole stock: quantity (may be negative), value, last unit cost known."""

    quantity: Decimal
    value: Decimal
    last_unit_cost: Decimal | None = None

    def average(self) -> Decimal | None:
        return money(self.value / self.quantity) if self.quantity > 0 else None


@dataclass(frozen=True)
class Layer:
    """An open FIFO layer."""

    id: uuid.UUID
    remaining: Decimal
    remaining_value: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class Take:
    """Quantity and value a move took from (or gives back to) one layer."""

    layer_id: uuid.UUID
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class Outcome:
    """What a move does to valuation.

    ``cost``: value that left (outbound) or entered (inbound, before ``variance``).
    ``takes``: layers drawn from (outbound) or given back to (inbound restores).
    ``new_layer``: (quantity, value) of a layer to create, if any.
    """

    cost: Decimal
    after: Position
    takes: list[Take] = field(default_factory=list)
    new_layer: tuple[Decimal, Decimal] | None = None
    variance: Decimal = ZERO


def _shortfall_cost(quantity: Decimal, unit: Decimal | None, fallback: Decimal) -> Decimal:
    return money(quantity * (unit if unit is not None else fallback)) if quantity > 0 else ZERO


def fifo_out(pos: Position, layers: list[Layer], quantity: Decimal, fallback: Decimal) -> Outcome:
    """Take ``quantity`` from ``layers`` in the order given (oldest first)."""
    left, cost, takes = quantity, ZERO, []
    last = pos.last_unit_cost
    for layer in layers:
        if left <= 0:
            break
        take = min(left, layer.remaining)
        if take <= 0:
            continue
        value = layer.remaining_value if take == layer.remaining else min(
            money(take * layer.unit_cost), layer.remaining_value)
        takes.append(Take(layer.id, take, value))
        cost += value
        left -= take
        last = layer.unit_cost
    cost += _shortfall_cost(left, last, fallback)
    after = Position(pos.quantity - quantity, pos.value - cost, last)
    return Outcome(cost, after, takes)


def average_out(pos: Position, quantity: Decimal, fallback: Decimal,
                unit_cost: Decimal | None = None) -> Outcome:
    """Take ``quantity`` at the moving average (or at ``unit_cost``, capped by the value held)."""
    on_hand = max(pos.quantity, ZERO)
    take = min(quantity, on_hand)
    if take == 0:
        value = ZERO
    elif take == on_hand:
        value = pos.value
    elif unit_cost is not None:
        value = min(money(take * unit_cost), pos.value)
    else:
        value = money(pos.value * take / on_hand)
    value = max(value, ZERO)
    last = pos.average() or pos.last_unit_cost
    cost = value + _shortfall_cost(quantity - take, last, fallback)
    return Outcome(cost, Position(pos.quantity - quantity, pos.value - cost, last))


def _settle(pos: Position, quantity: Decimal, value_in: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Units of an inbound move that fill a negative position: (units, booked value, their cost)."""
    if pos.quantity >= 0:
        return ZERO, ZERO, ZERO
    hole = -pos.quantity
    units = min(quantity, hole)
    booked = -pos.value if units == hole else money(-pos.value * units / hole)
    paid = value_in if units == quantity else money(value_in * units / quantity)
    return units, booked, paid


def _inbound(pos: Position, quantity: Decimal, value_in: Decimal) -> tuple[Outcome, Decimal, Decimal]:
    units, booked, paid = _settle(pos, quantity, value_in)
    rest_qty, rest_value = quantity - units, value_in - paid
    after_qty = pos.quantity + quantity
    after_value = pos.value + booked + rest_value
    last = money(value_in / quantity)
    if after_qty > 0:
        last = money(after_value / after_qty)
    outcome = Outcome(value_in, Position(after_qty, after_value, last), variance=paid - booked)
    return outcome, rest_qty, rest_value


def average_in(pos: Position, quantity: Decimal, value_in: Decimal) -> Outcome:
    """Add ``quantity`` worth ``value_in`` to a moving-average position."""
    return _inbound(pos, quantity, value_in)[0]


def fifo_in(pos: Position, quantity: Decimal, value_in: Decimal, restore: list[Take] | None = None) -> Outcome:
    """Add ``quantity`` worth ``value_in``: settle a negative position, then a new layer.

    ``restore`` (a reversal of an outbound move): give the exact quantities back to the
    layers they were taken from, at their value; only the part that was costed beyond the
    layers becomes a new layer. When the item is negative at that moment the reversal is
    treated like any inbound move instead (it settles the hole first).
    """
    outcome, rest_qty, rest_value = _inbound(pos, quantity, value_in)
    takes: list[Take] = []
    if restore and pos.quantity >= 0:
        takes = restore
        rest_qty -= sum((t.quantity for t in restore), ZERO)
        rest_value -= sum((t.value for t in restore), ZERO)
    layer = (rest_qty, rest_value) if rest_qty > 0 else None
    last = outcome.after.last_unit_cost if layer is None else money(rest_value / rest_qty)
    after = Position(outcome.after.quantity, outcome.after.value, last)
    return Outcome(value_in, after, takes, layer, outcome.variance)
