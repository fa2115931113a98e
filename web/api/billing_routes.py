"""/api/v1/billing: the subscription's state (owner) and the Stripe webhook (public, signed)."""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Request, Router, post

from core import jobs
from core.auth.login import Principal
from core.billing import stripe_billing, webhooks
from core.billing.status import billing_state
from core.tenancy.roles import BILLING_MANAGERS
from web.api.common import api_get, api_post, to_json
from web.auth import roles


@api_get("/billing", guards=[roles(BILLING_MANAGERS)])
def billing_route(principal: Principal) -> dict[str, Any]:
    """Plan, subscription status, trial and period ends, and what they mean for access."""
    return to_json(billing_state(principal.tenant_id))


@post("/billing/stripe/webhook", status_code=200)
async def stripe_webhook_route(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Stripe's events: signature checked (400 when bad or stale), recorded once by event id,
    processed by the ``process_stripe_event`` job."""
    payload = await request.body()
    received = await anyio.to_thread.run_sync(
        webhooks.receive, payload, request.headers.get("stripe-signature"))
    if not received.duplicate:
        jobs.send("process_stripe_event", received.event_id)
    return {"received": True, "duplicate": received.duplicate}


class PlanIn(msgspec.Struct):
    plan: str


class CancelIn(msgspec.Struct):
    cancel: bool = True


# Billing writes stay open to a read-only tenant: paying is how it gets out.
OWNER_ONLY = [roles(BILLING_MANAGERS)]
EXEMPT = {"billing_exempt": True}


@api_post("/billing/plan", status_code=200, guards=OWNER_ONLY, opt=EXEMPT)
def change_plan_route(principal: Principal, data: PlanIn) -> dict[str, Any]:
    """Move to another plan (prorated in Stripe); 422 when current use exceeds it."""
    stripe_billing.change_plan(principal.tenant_id, data.plan)
    return to_json(billing_state(principal.tenant_id))


@api_post("/billing/cancel", status_code=200, guards=OWNER_ONLY, opt=EXEMPT)
def cancel_route(principal: Principal, data: CancelIn) -> dict[str, Any]:
    """Cancel at the end of the period (``cancel: false`` undoes it)."""
    stripe_billing.cancel_at_period_end(principal.tenant_id, data.cancel)
    return to_json(billing_state(principal.tenant_id))


@api_post("/billing/checkout", status_code=200, guards=OWNER_ONLY, opt=EXEMPT)
def checkout_route(principal: Principal) -> dict[str, str]:
    """A Stripe Checkout link to enter payment details."""
    return {"url": stripe_billing.checkout_url(principal.tenant_id)}


@api_post("/billing/portal", status_code=200, guards=OWNER_ONLY, opt=EXEMPT)
def portal_route(principal: Principal) -> dict[str, str]:
    """A Stripe Billing Portal link (cards, invoices, plan)."""
    return {"url": stripe_billing.portal_url(principal.tenant_id)}


@api_get("/billing/invoices", guards=[roles(BILLING_MANAGERS)])
def invoices_route(principal: Principal) -> dict[str, Any]:
    """The subscription's invoices from Stripe, newest first."""
    return {"items": to_json(stripe_billing.list_invoices(principal.tenant_id))}


handlers = [billing_route, change_plan_route, cancel_route, checkout_route, portal_route, invoices_route]
public_router = Router(path="/api/v1", route_handlers=[stripe_webhook_route], tags=["billing"])
