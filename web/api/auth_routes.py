"""Signup and token issue: the only API routes that need no token."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router

from core.auth.login import Principal, authenticate
from core.auth.tokens import issue_token
from core.billing.stripe_billing import start_subscription_quietly
from core.config import get_settings
from core.tenancy.signup import signup
from web.api.common import api_get, api_post, client_address


class SignupIn(msgspec.Struct):
    company: str
    plant: str
    email: str
    password: str
    plan: str = "starter"


class TokenIn(msgspec.Struct):
    email: str
    password: str


@api_post("/signup", status_code=201)
def signup_route(data: SignupIn) -> dict[str, str]:
    """Create a company, its first plant and its owner."""
    result = signup(data.company, data.plant, data.email, data.password, data.plan)
    start_subscription_quietly(result.tenant_id)
    return {"tenant_id": str(result.tenant_id), "plant_id": str(result.plant_id),
            "user_id": str(result.user_id)}


@api_post("/auth/token", status_code=200)
def token_route(data: TokenIn, request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Exchange email and password for a bearer token (rate limited: 429 + Retry-After)."""
    principal = authenticate(data.email, data.password, client_address(request))
    settings = get_settings()
    token = issue_token(settings.secret_key, principal.user_id, principal.tenant_id,
                        settings.token_ttl_seconds)
    return {"access_token": token, "token_type": "bearer",
            "expires_in": settings.token_ttl_seconds}


public_router = Router(path="/api/v1", route_handlers=[signup_route, token_route], tags=["auth"])


@api_get("/me", opt={"supplier": True})
def me_route(principal: Principal) -> dict[str, str]:
    """Who the token belongs to, in which tenant, with which role."""
    return {"user_id": str(principal.user_id), "email": principal.email,
            "tenant_id": str(principal.tenant_id), "tenant_name": principal.tenant_name,
            "role": principal.role.value}
