"""The four cost-based lot-sizing rules, exact (Fractions) and per item.

Each function gets the net requirements ``need`` of the periods from the
order's own period on (``need[0] > 0``), the setup cost of that first period
and ``carry``, where ``carry[m]`` is the holding cost per unit carried from
the first period to period ``m`` (``holding_cost × m``, or the sum of the
per-period list). It returns the index of the last period the lot covers.

Conventions of plan-bundle.md: periods without a net requirement are carried
along at no cost; least unit cost and least total cost only compare at
periods that have one; Silver-Meal divides by every period; ties keep the
shorter lot. These rules are rare, so clarity beats speed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def least_unit_cost(need: Sequence[Fraction], setup: Fraction, carry: Sequence[Fraction]) -> int:
    """Extend the lot while the cost per unit keeps falling."""
    end, quantity, holding = 0, need[0], Fraction(0)
    best = setup / quantity
    for m in range(1, len(need)):
        if need[m] == 0:
            continue
        holding += need[m] * carry[m]
        quantity += need[m]
        unit_cost = (setup + holding) / quantity
        if unit_cost >= best:
            break
        best, end = unit_cost, m
    return end


def least_total_cost(need: Sequence[Fraction], setup: Fraction, carry: Sequence[Fraction]) -> int:
    """Part-period balancing: the lot whose holding cost comes closest to the setup cost."""
    end, holding = 0, Fraction(0)
    for m in range(1, len(need)):
        if need[m] == 0:
            continue
        longer = holding + need[m] * carry[m]
        if longer <= setup:
            end, holding = m, longer
            continue
        # Holding grows with every period, so the closest lot straddles the setup cost.
        if longer - setup < setup - holding:
            end = m
        break
    return end


def silver_meal(need: Sequence[Fraction], setup: Fraction, carry: Sequence[Fraction]) -> int:
    """Extend the lot while the cost per period (every period counts) keeps falling."""
    end, holding = 0, Fraction(0)
    best = setup
    for m in range(1, len(need)):
        holding += need[m] * carry[m]
        per_period = (setup + holding) / (m + 1)
        if per_period >= best:
            break
        best, end = per_period, m
    return end


def wagner_whitin_plan(
    need: Sequence[Fraction], setups: Sequence[Fraction], cum_holding: Sequence[Fraction]
) -> dict[int, int]:
    """Optimal lots over the whole horizon: order period → last period covered.

    ``setups[m]`` is the setup cost of period m and ``cum_holding[m]`` the
    holding cost per unit from period 0 to m. Backward recursion over the
    periods with a need, so the choice at a period depends only on the periods
    after it (a later re-plan of a suffix makes the same choices); ties keep
    the shorter lot.
    """
    needy = [m for m, q in enumerate(need) if q > 0]
    cost_from: list[Fraction] = [Fraction(0)] * (len(needy) + 1)
    last: list[int] = [0] * len(needy)
    for i in range(len(needy) - 1, -1, -1):
        start = needy[i]
        best: Fraction | None = None
        holding = Fraction(0)
        for j in range(i, len(needy)):
            period = needy[j]
            holding += need[period] * (cum_holding[period] - cum_holding[start])
            total = setups[start] + holding + cost_from[j + 1]
            if best is None or total < best:
                best, last[i] = total, j
        assert best is not None
        cost_from[i] = best
    plan: dict[int, int] = {}
    i = 0
    while i < len(needy):
        plan[needy[i]] = needy[last[i]]
        i = last[i] + 1
    return plan
