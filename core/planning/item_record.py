"""The MRP record of one item, period by period, in plain Python.

The vectorised engine (:mod:`core.planning.mrp`) plans most items a whole
level at a time; this planner handles the cost-based lot-sizing rules, which
need the rest of the horizon to size each lot, and it is the reference the
tests hold the vectorised engine to. Quantities are scaled integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from core.planning import cost_lot_sizing as cost
from core.planning.lot_sizing import (
    EOQ,
    FIXED,
    LEAST_TOTAL_COST,
    LEAST_UNIT_COST,
    LOT_FOR_LOT,
    POQ,
    SILVER_MEAL,
    modify_one,
)


@dataclass(frozen=True)
class CostParams:
    """Setup and holding cost of each period (holding per unit per period end)."""

    setup: tuple[Fraction, ...]
    holding: tuple[Fraction, ...]


@dataclass(frozen=True)
class ItemLot:
    """One item's lot-sizing rule with scaled quantities (0 = modifier not set)."""

    rule: int = LOT_FOR_LOT
    quantity: int = 0
    periods: int = 1
    minimum: int = 0
    maximum: int = 0
    multiple: int = 0
    costs: CostParams | None = None


@dataclass
class ItemRecord:
    """Net requirements, planned receipts (new orders) and projected on hand."""

    net: list[int]
    planned: list[int]
    on_hand: list[int]


@dataclass
class _Supply:
    gross: list[int]
    supply: list[int]  # scheduled + firm planned receipts
    safety: int
    scale: int
    ww_cache: dict[int, tuple[list[int], dict[int, int]]] = field(default_factory=dict)

    def needs_from(self, t: int, balance: int) -> list[int]:
        """Lot-for-lot net requirements from period t, starting from ``balance``."""
        needs = []
        for k in range(t, len(self.gross)):
            available = balance + self.supply[k]
            need = max(0, self.gross[k] + self.safety - available)
            needs.append(need)
            balance = available + need - self.gross[k]
        return needs


def plan_item(
    gross: list[int],
    scheduled: list[int],
    firm: list[int],
    start: int,
    safety: int,
    lot: ItemLot,
    scale: int,
) -> ItemRecord:
    """Gross-to-net one item: ``start`` is on hand less allocated at period 1."""
    horizon = len(gross)
    state = _Supply(gross, [s + f for s, f in zip(scheduled, firm, strict=True)], safety, scale)
    record = ItemRecord([0] * horizon, [0] * horizon, [0] * horizon)
    balance = start
    for t in range(horizon):
        available = balance + state.supply[t]
        need = max(0, gross[t] + safety - available)
        record.net[t] = need
        if need > 0:
            size = _lot_size(state, lot, t, need, balance)
            record.planned[t] = modify_one(size, lot.minimum, lot.maximum, lot.multiple)
        balance = available + record.planned[t] - gross[t]
        record.on_hand[t] = balance
    return record


def _lot_size(state: _Supply, lot: ItemLot, t: int, need: int, balance: int) -> int:
    if lot.rule == LOT_FOR_LOT:
        return need
    if lot.rule in (FIXED, EOQ):
        return -(-need // lot.quantity) * lot.quantity
    if lot.rule == POQ:
        return sum(state.needs_from(t, balance)[: lot.periods])
    needs = state.needs_from(t, balance)
    return sum(needs[: _cost_lot_end(state, lot, t, needs) + 1])


def _cost_lot_end(state: _Supply, lot: ItemLot, t: int, needs: list[int]) -> int:
    """Index (from t) of the last period covered by a cost-based lot."""
    assert lot.costs is not None
    unit = 10**state.scale
    need = [Fraction(q, unit) for q in needs]
    holding = lot.costs.holding
    carry = [Fraction(0)]
    for k in range(t, len(state.gross) - 1):
        carry.append(carry[-1] + holding[k])
    setup = lot.costs.setup[t]
    if lot.rule == LEAST_UNIT_COST:
        return cost.least_unit_cost(need, setup, carry)
    if lot.rule == LEAST_TOTAL_COST:
        return cost.least_total_cost(need, setup, carry)
    if lot.rule == SILVER_MEAL:
        return cost.silver_meal(need, setup, carry)
    return _wagner_whitin_end(state, lot.costs, t, needs, need, carry)


def _wagner_whitin_end(
    state: _Supply,
    costs: CostParams,
    t: int,
    needs: list[int],
    need: list[Fraction],
    carry: list[Fraction],
) -> int:
    # The optimal plan is computed once; a later order reuses it while its
    # remaining needs are the plan's own (modifiers can change them).
    for origin, (cached, plan) in state.ww_cache.items():
        if t - origin in plan and cached[t - origin :] == needs:
            return plan[t - origin] - (t - origin)
    plan = cost.wagner_whitin_plan(need, costs.setup[t:], carry)
    state.ww_cache.clear()
    state.ww_cache[t] = (needs, plan)
    return plan[0]
