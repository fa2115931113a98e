"""Single sign-on pages: start at the company's provider, come back, get a session."""

from __future__ import annotations

import os
import uuid
from typing import Annotated, Any

import anyio
from litestar import Request
from litestar.datastructures import Cookie
from litestar.params import Parameter
from litestar.response import Redirect, Template

from core.auth.oidc import finish_login, start_login
from core.auth.sso_discovery import sso_tenant_for_email
from core.auth.tokens import issue_token
from core.config import get_settings
from core.errors import DomainError
from web.pages.common import async_get, form_data, form_post, redirect_with_session, render, session_cookie

SSO_COOKIE = "plantops_sso"


def _state_cookie(value: str) -> Cookie:
    # Lax: the provider's redirect back is a top-level GET, which Lax cookies accompany.
    base = session_cookie(value)
    return Cookie(key=SSO_COOKIE, value=value, httponly=True, samesite="lax", secure=base.secure,
                  path="/sso", max_age=600 if value else 0)


def _callback_url(request: Request[Any, Any, Any]) -> str:
    # PLANTOPS_BASE_URL when the operator set it (behind a proxy), else where the browser came.
    base = os.environ.get("PLANTOPS_BASE_URL") or str(request.base_url)
    return base.rstrip("/") + "/sso/callback"


@async_get("/sso/{tenant_id:uuid}/start")
async def sso_start(tenant_id: uuid.UUID, request: Request[Any, Any, Any]) -> Template | Redirect:
    try:
        started = await anyio.to_thread.run_sync(start_login, tenant_id, _callback_url(request))
    except DomainError as exc:
        return render("login.html", None, status_code=exc.status, error=exc.message, next="/")
    return Redirect(path=started.authorization_url, status_code=302, cookies=[_state_cookie(started.cookie)])


@async_get("/sso/callback")
async def sso_callback(request: Request[Any, Any, Any], code: str = "",
                       oauth_state: Annotated[str, Parameter(query="state")] = "",
                       error: str = "") -> Template | Redirect:
    if error or not code:
        return render("login.html", None, status_code=401, next="/",
                      error=f"the identity provider did not sign you in ({error or 'no code'})")
    try:
        login = await anyio.to_thread.run_sync(finish_login, request.cookies.get(SSO_COOKIE), oauth_state, code)
    except DomainError as exc:
        return render("login.html", None, status_code=exc.status, error=exc.message, next="/")
    settings = get_settings()
    token = issue_token(settings.secret_key, login.user_id, login.tenant_id, settings.token_ttl_seconds)
    answer = redirect_with_session("/", token)
    answer.cookies.append(_state_cookie(""))
    return answer


@async_get("/sso")
async def sso_page() -> Template:
    return render("sso_login.html", None)


@form_post("/sso")
async def sso_find(request: Request[Any, Any, Any]) -> Template | Redirect:
    """The work email's domain names the company; its provider takes over from there."""
    email = (await form_data(request)).get("email", "")
    try:
        tenant_id = await anyio.to_thread.run_sync(sso_tenant_for_email, email)
    except DomainError as exc:
        return render("sso_login.html", None, status_code=exc.status, error=exc.message, email=email)
    return Redirect(path=f"/sso/{tenant_id}/start", status_code=303)


handlers = [sso_page, sso_find, sso_start, sso_callback]
