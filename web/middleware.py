"""ASGI middleware: a request id for every request, echoed as ``X-Request-ID``.

A caller's own ``X-Request-ID`` is kept when it is a short token (so a proxy's id follows
the request into the audit log); otherwise a new one is made.
"""

from __future__ import annotations

import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.audit import context

_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Wrap ``app``: set the request-id context variable and add the response header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
        token = context.request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["x-request-id"] = rid
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            context.request_id.reset(token)

    return middleware
