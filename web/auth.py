"""Who is calling: bearer tokens on the API, a cookie session on pages, and role guards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core.audit import context as audit_context
from core.audit.context import Actor
from core.auth.api_keys import authenticate_api_key, looks_like_key
from core.auth.login import Principal, load_principal
from core.auth.tokens import read_token
from core.config import get_settings
from core.errors import Unauthorized
from core.tenancy.roles import Role

SESSION_COOKIE = "plantops_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class LoginRequired(NotAuthorizedException):
    """Raised by the page guard; the exception handler answers with a redirect to /login."""


def _bearer(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _resolve(token: str) -> Principal:
    claims = read_token(get_settings().secret_key, token)
    return await anyio.to_thread.run_sync(load_principal, claims.user_id, claims.tenant_id)


def _set_actor(principal: Principal) -> None:
    # Read by the audit capture: "who" for every change this request makes.
    audit_context.actor.set(Actor(principal.user_id, principal.email))


def _payment_fence(connection: ASGIConnection, principal: Principal, handler: BaseRouteHandler) -> None:
    # Read-only tenants may read and pay, nothing else (billing routes say billing_exempt).
    if (principal.access == "read_only" and connection.scope.get("method", "GET") not in SAFE_METHODS
            and not handler.opt.get("billing_exempt")):
        raise HTTPException(status_code=402, detail=principal.access_message or "payment required")


def _supplier_fence(principal: Principal, handler: BaseRouteHandler) -> None:
    # A supplier's person is an outsider: only routes that say so (``opt={"supplier": True}``,
    # the supplier portal and /me) are open to them; everything else is the tenant's own.
    if principal.role is Role.SUPPLIER and not handler.opt.get("supplier"):
        raise PermissionDeniedException(
            "your role 'supplier' may only use the supplier portal")


async def api_principal(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard for /api/v1: a valid bearer token, else 401."""
    token = _bearer(connection)
    key = connection.headers.get("x-api-key") or (token if token and looks_like_key(token) else None)
    if key is not None:
        try:
            principal, scope = await anyio.to_thread.run_sync(authenticate_api_key, key)
        except Unauthorized as exc:
            raise NotAuthorizedException(exc.message) from exc
        if scope == "read" and connection.scope.get("method", "GET") not in SAFE_METHODS:
            raise PermissionDeniedException("this API key is read-only (scope 'read')")
        connection.state.principal = principal
    elif token is None:
        raise NotAuthorizedException(
            "a bearer token (POST /api/v1/auth/token) or an API key (X-API-Key) is required")
    else:
        try:
            connection.state.principal = await _resolve(token)
        except Unauthorized as exc:
            raise NotAuthorizedException(exc.message) from exc
    _set_actor(connection.state.principal)
    _supplier_fence(connection.state.principal, handler)
    _payment_fence(connection, connection.state.principal, handler)


async def page_principal(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard for pages: a valid session cookie, else a redirect to the login page."""
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired("please log in")
    try:
        connection.state.principal = await _resolve(token)
    except Unauthorized as exc:
        raise LoginRequired("your session has ended, please log in again") from exc
    _set_actor(connection.state.principal)
    _supplier_fence(connection.state.principal, handler)
    _payment_fence(connection, connection.state.principal, handler)


def current_principal(connection: ASGIConnection) -> Principal:
    """The principal a guard resolved for this request (dependency provider)."""
    principal: Principal | None = getattr(connection.state, "principal", None)
    if principal is None:
        raise NotAuthorizedException("not authenticated")
    return principal


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """Dependency provider: handlers declare ``principal: Principal`` to receive it."""
    return current_principal(request)


def roles(allowed: Iterable[Role]) -> Guard:
    """A guard that admits only members holding one of ``allowed`` (403 naming them)."""
    allowed_set = frozenset(allowed)
    names = ", ".join(sorted(r.value for r in allowed_set))

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        role = current_principal(connection).role
        if role not in allowed_set:
            raise PermissionDeniedException(
                f"your role {role.value!r} may not do this; it needs one of: {names}"
            )

    return guard
