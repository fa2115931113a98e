"""The billing page (owner): plan, subscription status, trial and period, and what to do."""

from __future__ import annotations

from litestar.response import Template

from core.auth.login import Principal
from core.billing.plans import PLANS
from core.billing.status import billing_state
from core.tenancy.roles import BILLING_MANAGERS
from web.auth import roles
from web.pages.common import page_get, render


@page_get("/app/billing", guards=[roles(BILLING_MANAGERS)])
def billing_page(principal: Principal) -> Template:
    return render("billing.html", principal, active="billing",
                  state=billing_state(principal.tenant_id), plans=list(PLANS.values()))


handlers = [billing_page]
