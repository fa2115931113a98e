"""Signup, login and logout pages (cookie session)."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request
from litestar.response import Redirect, Template

from core.auth.login import authenticate
from core.auth.tokens import issue_token
from core.billing.stripe_billing import start_subscription_quietly
from core.config import get_settings
from core.errors import DomainError, TooManyRequests
from core.tenancy.signup import signup
from web.api.common import client_address
from web.pages.common import (
    async_get,
    form_data,
    form_post,
    page_get,
    redirect_with_session,
    render,
)


def _token_for(email: str, password: str, address: str | None = None) -> str:
    principal = authenticate(email, password, address)
    settings = get_settings()
    return issue_token(settings.secret_key, principal.user_id, principal.tenant_id,
                       settings.token_ttl_seconds)


def _safe_next(path: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    return path if path and path.startswith("/") and not path.startswith("//") else "/"


@page_get("/signup")
def signup_page() -> Template:
    return render("signup.html", None, form={})


@form_post("/signup")
async def signup_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    try:
        result = await anyio.to_thread.run_sync(
            lambda: signup(form.get("company", ""), form.get("plant", ""),
                           form.get("email", ""), form.get("password", ""),
                           form.get("plan") or "starter")
        )
        await anyio.to_thread.run_sync(start_subscription_quietly, result.tenant_id)
        token = await anyio.to_thread.run_sync(
            _token_for, form.get("email", ""), form.get("password", "")
        )
    except DomainError as exc:
        form.pop("password", None)
        return render("signup.html", None, status_code=exc.status, form=form,
                      error=exc.message, field=exc.field)
    return redirect_with_session("/", token)


@page_get("/login")
def login_page(next: str | None = None) -> Template:
    return render("login.html", None, next=_safe_next(next))


@form_post("/login")
async def login_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    try:
        token = await anyio.to_thread.run_sync(
            _token_for, form.get("email", ""), form.get("password", ""), client_address(request)
        )
    except DomainError as exc:
        status = exc.status if isinstance(exc, TooManyRequests) else 401
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else {}
        page = render("login.html", None, status_code=status, email=form.get("email"),
                      next=_safe_next(form.get("next")), error=exc.message)
        page.headers.update(headers)
        return page
    return redirect_with_session(_safe_next(form.get("next")), token)


@form_post("/logout")
async def logout_submit() -> Redirect:
    return redirect_with_session("/login", None)


@async_get("/logout")
async def logout_link() -> Redirect:
    return redirect_with_session("/login", None)


handlers = [signup_page, signup_submit, login_page, login_submit, logout_submit, logout_link]
