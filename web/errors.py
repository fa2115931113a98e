"""Turning errors into answers: JSON on the API, a redirect or a page for people."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect

from core.errors import DomainError, TooManyRequests
from web.auth import LoginRequired

log = logging.getLogger(__name__)


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    """A service refused the request: its status, message and the field at fault."""
    body: dict[str, Any] = {"status_code": exc.status, "detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    return Response(body, status_code=exc.status, media_type=MediaType.JSON, headers=headers)


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """Malformed input: name the field (``$.lead_time_days`` → ``lead_time_days``)."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    fields = [_field_of(e) for e in extra if isinstance(e, dict)]
    messages = [str(e.get("message", "")) for e in extra if isinstance(e, dict)]
    detail = exc.detail
    if fields and fields[0]:
        detail = f"{fields[0]}: {messages[0]}"
    body: dict[str, Any] = {"status_code": 400, "detail": detail, "errors": extra}
    if fields and fields[0]:
        body["field"] = fields[0]
    return Response(body, status_code=400, media_type=MediaType.JSON)


def _field_of(error: dict[str, Any]) -> str:
    """The field an error is about: msgspec puts a missing or unknown field in the message."""
    key = str(error.get("key", "")).removeprefix("$.").removeprefix("data.")
    key = "" if key in ("data", "body", "$") else key
    message = str(error.get("message", ""))
    match = re.search(r"(?:missing required|unknown) field `([^`]+)`", message)
    if match:
        return f"{key}.{match.group(1)}" if key else match.group(1)
    return key


def login_required(request: Request[Any, Any, Any], exc: LoginRequired) -> Response[Any]:
    """Pages send people to log in; htmx requests get a header that makes htmx redirect."""
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": "/login"})
    return Redirect(path=f"/login?next={request.url.path}")


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Keep Litestar's own 4xx answers in our JSON shape."""
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(body, status_code=exc.status_code, media_type=MediaType.JSON,
                    headers=exc.headers)
