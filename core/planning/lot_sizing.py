"""Lot-sizing rules and the minimum / maximum / multiple order modifiers.

Rules ``lot_for_lot``, ``fixed``, ``eoq`` and ``poq`` size an order from the
net requirement of its period (and, for POQ, the next P-1 periods), so the
vectorised engine applies them to all items of a level at once. The four
cost-based rules live in :mod:`core.planning.cost_lot_sizing`.

Modifiers (plan-bundle.md: "minimum, maximum and multiple apply in that order
to every planned order"). Choices where the format is silent:

* ``maximum`` splits: a lot larger than the maximum becomes several planned
  orders in the same period, each of the largest size allowed (``maximum``,
  or the largest multiple of ``multiple`` not above it), plus one order for
  the remainder; the remainder is raised to ``minimum`` and rounded up to
  ``multiple``. So every order respects all three modifiers, and the lot
  still covers the whole requirement (APICS: "order quantity modifiers";
  SAP's maximum lot size behaves the same way).
* A bundle whose modifiers admit no order size (no multiple of ``multiple``
  between ``minimum`` and ``maximum``) is refused at validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]

LOT_FOR_LOT, FIXED, EOQ, POQ = 0, 1, 2, 3
LEAST_UNIT_COST, LEAST_TOTAL_COST, SILVER_MEAL, WAGNER_WHITIN = 4, 5, 6, 7
RULES = {
    "lot_for_lot": LOT_FOR_LOT,
    "fixed": FIXED,
    "eoq": EOQ,
    "poq": POQ,
    "least_unit_cost": LEAST_UNIT_COST,
    "least_total_cost": LEAST_TOTAL_COST,
    "silver_meal": SILVER_MEAL,
    "wagner_whitin": WAGNER_WHITIN,
}
COST_RULES = frozenset({LEAST_UNIT_COST, LEAST_TOTAL_COST, SILVER_MEAL, WAGNER_WHITIN})


@dataclass(frozen=True)
class Modifiers:
    """Order modifiers of a set of items, as scaled integers; 0 means "none"."""

    minimum: I64
    maximum: I64
    multiple: I64

    def piece_size(self) -> I64:
        """Largest single order: ``maximum`` rounded down to ``multiple`` (0 = unbounded)."""
        mult = np.maximum(self.multiple, 1)
        rounded = self.maximum // mult * mult
        return np.where(self.multiple > 0, rounded, self.maximum)


def round_up(quantity: I64, step: I64) -> I64:
    """Round each quantity up to a multiple of its step (step 0 leaves it alone)."""
    safe = np.maximum(step, 1)
    return np.where(step > 0, -(-quantity // safe) * safe, quantity)


def fixed_lots(net: I64, quantity: I64) -> I64:
    """The smallest multiple of ``quantity`` covering ``net`` (fixed and EOQ rules)."""
    return -(-net // quantity) * quantity


def apply_modifiers(lot: I64, mods: Modifiers) -> I64:
    """Total planned quantity once each lot is split at the maximum and modified.

    ``lot`` is the rule's quantity (> 0) per item. Full pieces already meet
    every modifier; only the remainder is raised to the minimum and rounded
    up to the multiple.
    """
    piece = mods.piece_size()
    has_max = piece > 0
    safe_piece = np.where(has_max, piece, 1)
    full = np.where(has_max, lot // safe_piece, 0)
    rest = lot - full * safe_piece
    rest = np.where(rest > 0, round_up(np.maximum(rest, mods.minimum), mods.multiple), 0)
    return full * safe_piece + rest


def split_orders(total: int, piece: int) -> list[int]:
    """The planned orders making up ``total`` in one period: full pieces first."""
    if piece <= 0 or total <= piece:
        return [total]
    full, rest = divmod(total, piece)
    return [piece] * full + ([rest] if rest else [])


def poq_lots(window: I64, base: I64, periods: I64) -> I64:
    """POQ lots ordered in period ``t``: the net requirements of it and the next P-1 periods.

    ``window[i, k]`` is the cumulative ``GR - SR - FPR`` through period t + k, for k
    up to the largest P (fewer at the end of the horizon), and ``base[i]`` is
    ``safety_stock - POH[t-1] - cumulative through t-1``; a lot must keep the balance
    at safety stock through the window, so it is the largest shortfall
    ``base + window[k]`` over ``k < P``.
    """
    inside = np.arange(window.shape[1])[None, :] < periods[:, None]
    lowest = np.iinfo(np.int64).min // 2
    best = np.where(inside, window, lowest).max(axis=1)
    return base + best


def modify_one(lot: int, minimum: int, maximum: int, multiple: int) -> int:
    """:func:`apply_modifiers` for one lot (the per-item planner's version)."""
    piece = maximum // multiple * multiple if maximum and multiple else maximum
    full = lot // piece if piece else 0
    rest = lot - full * piece
    if rest:
        rest = max(rest, minimum)
        if multiple:
            rest = -(-rest // multiple) * multiple
    return full * piece + rest
