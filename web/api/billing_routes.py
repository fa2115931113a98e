"""/api/v1/billing: the subscription's state (owner) and the Stripe webhook (public, signed)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Router, post

from core import jobs
from core.auth.login import Principal
from core.billing import webhooks
from core.billing.status import billing_state
from core.tenancy.roles import BILLING_MANAGERS
from web.api.common import api_get, to_json
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


handlers = [billing_route]
public_router = Router(path="/api/v1", route_handlers=[stripe_webhook_route], tags=["billing"])
