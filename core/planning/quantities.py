"""Exact decimal quantities as scaled 64-bit integers.

Every quantity of a bundle is held as an integer count of ``10**-scale`` units,
with one ``scale`` for the whole bundle: the most decimal places that any input
quantity, or any product along a BOM path, needs (at most ``MAX_DECIMALS``).
Sums, differences, lot sizes and netting are then exact integer arithmetic;
only a BOM explosion whose exact product needs more than ``MAX_DECIMALS``
places is rounded, and then upwards (a planner prefers a tiny surplus to a
shortage). Output turns the integers back into exact decimals.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

MAX_DECIMALS = 6
# Scaled inputs stay below 2**53 so that a float64 holding one converts exactly.
MAX_SCALED = 2**53

I64 = NDArray[np.int64]
Number = int | float | Decimal


def decimal_places(value: int | float) -> int:
    """Decimal places of a JSON number as written (shortest repr of a float)."""
    if isinstance(value, int) or value.is_integer():
        return 0
    exponent = Decimal(repr(value)).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def exact_decimal(value: int | float) -> Decimal:
    """The decimal a JSON number was written as (0.1 is 0.1, not its binary float)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def scaled_places(value: Decimal) -> int:
    """Decimal places of an exact decimal after dropping trailing zeros."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def to_number(scaled: int, scale: int) -> Number:
    """A scaled integer as an output number: int when whole, else the exact decimal.

    A non-whole value is a float when the float prints as exactly that decimal
    (it nearly always does), else a Decimal.
    """
    unit = 10**scale
    if scaled % unit == 0:
        return scaled // unit
    exact = Decimal(scaled).scaleb(-scale)
    as_float = scaled / unit  # int / int is correctly rounded
    return as_float if Decimal(repr(as_float)) == exact else exact


def row_numbers(row: I64, scale: int) -> list[Number]:
    """A row of scaled integers as output numbers (fast path when all are whole)."""
    if scale == 0:
        return row.tolist()
    unit = 10**scale
    if not np.any(row % unit):
        return (row // unit).tolist()
    return [to_number(v, scale) for v in row.tolist()]


def format_quantity(scaled: int, scale: int) -> str:
    """A scaled integer as text for messages: ``20`` or ``12.5``."""
    return format(Decimal(scaled).scaleb(-scale).normalize(), "f")
