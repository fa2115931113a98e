"""Entitlements: what a tenant's plan allows, checked inside the transaction that creates.

Each check locks the tenant row first (``FOR UPDATE``), so two requests racing to add the
last allowed plant serialize and the second one sees the first one's row.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.billing.plans import Plan, get_plan, plan_lifting
from core.errors import Forbidden, NotFound
from core.tenancy.models import Membership, Plant, Tenant, TenantPlugin

_LIMIT_NOUNS = {"max_plants": "plant", "max_users": "user", "max_plugins": "plugin"}


class LimitReached(Forbidden):
    """A plan limit stops the request (403); the message names the limit and the plan that lifts it."""


def tenant_plan(session: Session, tenant_id: uuid.UUID, lock: bool = False) -> Plan:
    """The tenant's plan; with ``lock`` the tenant row stays locked until the transaction ends."""
    query = select(Tenant.plan).where(Tenant.id == tenant_id)
    code = session.scalar(query.with_for_update() if lock else query)
    if code is None:
        raise NotFound(f"no tenant {tenant_id}", "tenant")
    return get_plan(code)


def _check(plan: Plan, limit: str, current: int, adding: int, field: str) -> None:
    allowed: int | None = getattr(plan, limit)
    needed = current + adding
    if allowed is None or needed <= allowed:
        return
    noun = _LIMIT_NOUNS[limit]
    lifting = plan_lifting(limit, needed)
    upgrade = (f"; the {lifting.name} plan allows "
               f"{'unlimited' if getattr(lifting, limit) is None else getattr(lifting, limit)} "
               f"{noun}s" if lifting else "")
    raise LimitReached(
        f"plan limit reached: the {plan.name} plan allows {allowed} {noun}"
        f"{'' if allowed == 1 else 's'} ({limit}){upgrade}", field)


def check_can_add_plant(session: Session, tenant_id: uuid.UUID, adding: int = 1) -> None:
    """Refuse (403) when one more plant would exceed the plan's ``max_plants``."""
    plan = tenant_plan(session, tenant_id, lock=True)
    count = session.scalar(select(func.count()).select_from(Plant).where(Plant.tenant_id == tenant_id))
    _check(plan, "max_plants", int(count or 0), adding, "plan")


def seats_used(session: Session, tenant_id: uuid.UUID) -> int:
    """Members plus open invitations: an invitation holds its seat until it ends."""
    from core.tenancy.models import Invitation

    members = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.tenant_id == tenant_id))
    pending = session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.tenant_id == tenant_id, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > func.now()))
    return int(members or 0) + int(pending or 0)


def check_can_add_user(session: Session, tenant_id: uuid.UUID, holds_seat: bool = False) -> None:
    """Refuse (403) when one more member would exceed ``max_users``.

    ``holds_seat``: the newcomer's invitation is already counted (accepting it adds no seat).
    """
    plan = tenant_plan(session, tenant_id, lock=True)
    used = seats_used(session, tenant_id)
    _check(plan, "max_users", used - (1 if holds_seat else 0), 1, "plan")


def check_can_enable_plugin(session: Session, tenant_id: uuid.UUID) -> None:
    """Refuse (403) when one more enabled plugin would exceed ``max_plugins``."""
    plan = tenant_plan(session, tenant_id, lock=True)
    count = session.scalar(
        select(func.count()).select_from(TenantPlugin).where(TenantPlugin.tenant_id == tenant_id))
    _check(plan, "max_plugins", int(count or 0), 1, "plan")
