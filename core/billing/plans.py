"""The subscription plans, defined in this one place.

Every limit the product enforces, every price ``plantops billing sync`` pushes to Stripe
and every plan name a message shows comes from :data:`PLANS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InvalidInput

#: Days a new subscriber uses the product before the first invoice.
TRIAL_DAYS = 14
CURRENCY = "eur"


@dataclass(frozen=True)
class Plan:
    """A plan: ``None`` for a limit means unlimited; the price is per plant per month."""

    code: str
    name: str
    max_plants: int | None
    max_users: int | None
    max_plugins: int | None
    price_per_plant_cents: int
    rank: int  # order from smallest to largest, to name the plan that lifts a limit


PLANS: dict[str, Plan] = {
    p.code: p
    for p in (
        Plan("starter", "Starter", 1, 5, 1, 4900, 1),
        Plan("growth", "Growth", 5, 25, 3, 3900, 2),
        Plan("enterprise", "Enterprise", None, None, None, 2900, 3),
    )
}
DEFAULT_PLAN = "starter"


def get_plan(code: str) -> Plan:
    """The plan called ``code``; 422 naming the field ``plan`` for an unknown code."""
    plan = PLANS.get(code.strip().lower())
    if plan is None:
        raise InvalidInput(f"plan must be one of: {', '.join(PLANS)}", "plan")
    return plan


def plan_lifting(limit: str, needed: int) -> Plan | None:
    """The smallest plan whose ``limit`` (max_plants, max_users, max_plugins) allows ``needed``."""
    for plan in sorted(PLANS.values(), key=lambda p: p.rank):
        value = getattr(plan, limit)
        if value is None or value >= needed:
            return plan
    return None
