"""The billing page (owner): plan, subscription status, trial and period, and what to do."""

from __future__ import annotations

from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.billing import stripe_billing
from core.billing.plans import PLANS
from core.billing.status import billing_state
from core.errors import DomainError
from core.tenancy.roles import BILLING_MANAGERS
from web.auth import roles
from web.pages.common import page_get, page_post, render

OWNER_ONLY = [roles(BILLING_MANAGERS)]
EXEMPT = {"billing_exempt": True}


def _page(principal: Principal, status_code: int = 200, error: str | None = None) -> Template:
    return render("billing.html", principal, status_code=status_code, active="billing", error=error,
                  state=billing_state(principal.tenant_id), plans=list(PLANS.values()),
                  invoices=stripe_billing.list_invoices(principal.tenant_id),
                  stripe_on=stripe_billing.configured())


@page_get("/app/billing", guards=[roles(BILLING_MANAGERS)])
def billing_page(principal: Principal) -> Template:
    return _page(principal)


@page_post("/app/billing/{target:str}", guards=OWNER_ONLY, opt=EXEMPT)
def billing_redirect(principal: Principal, target: str) -> Template | Redirect:
    """Send the owner to Stripe Checkout (payment details) or the Billing Portal."""
    try:
        if target == "checkout":
            return Redirect(path=stripe_billing.checkout_url(principal.tenant_id), status_code=303)
        if target == "portal":
            return Redirect(path=stripe_billing.portal_url(principal.tenant_id), status_code=303)
    except DomainError as exc:
        return _page(principal, exc.status, exc.message)
    return _page(principal, 404, f"no billing action {target!r}")


handlers = [billing_page, billing_redirect]
