"""What every page handler shares: rendering with the principal, forms, the session cookie."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.config import get_settings

page_get = partial(get, sync_to_thread=True, include_in_schema=False)
page_post = partial(post, sync_to_thread=True, include_in_schema=False)
# Handlers that read a form body are async; they call services through anyio threads.
form_post = partial(post, include_in_schema=False)
async_get = partial(get, include_in_schema=False)
SECURE_COOKIES = False  # set True behind HTTPS via PLANTOPS_SECURE_COOKIES


def render(
    template: str, principal: Principal | None, status_code: int = 200, **context: Any
) -> Template:
    """A full page or fragment with the principal in its context."""
    return Template(template_name=template, context={"principal": principal, **context},
                    status_code=status_code)


async def form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    """A urlencoded or multipart form as plain strings (files are left out)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}


def session_cookie(token: str | None) -> Cookie:
    """The session cookie: httponly, SameSite=Lax, Secure when configured; empty to log out."""
    import os

    from web.auth import SESSION_COOKIE

    secure = os.environ.get("PLANTOPS_SECURE_COOKIES", "0") == "1"
    ttl = get_settings().token_ttl_seconds
    return Cookie(key=SESSION_COOKIE, value=token or "", httponly=True, samesite="lax",
                  secure=secure, path="/", max_age=ttl if token else 0)


def redirect_with_session(path: str, token: str | None) -> Redirect:
    """Send the browser on with its new (or cleared) session cookie."""
    return Redirect(path=path, cookies=[session_cookie(token)], status_code=303)


def quantity_text(value: Any) -> str:
    """Jinja filter: exact decimals without trailing zeros."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)
