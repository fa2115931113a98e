"""Pieces every API module uses: sync handlers on threads, the principal, plain JSON."""

from __future__ import annotations

import dataclasses
import functools
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import msgspec
from litestar import delete, get, patch, post, put

# Services are synchronous (SQLAlchemy sessions): run them on worker threads.
api_get = partial(get, sync_to_thread=True)
api_post = partial(post, sync_to_thread=True)
api_patch = partial(patch, sync_to_thread=True)
api_put = partial(put, sync_to_thread=True)
api_delete = partial(delete, sync_to_thread=True, status_code=204)


def decimal_text(value: Decimal) -> str:
    """An exact decimal as text without trailing zeros: ``12.500000`` → ``12.5``."""
    text = format(value.normalize(), "f")
    return text


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() builds its answer on every call; answers are converted per request.
    return tuple(f.name for f in dataclasses.fields(cls))


def to_json(value: Any) -> Any:
    """Plain JSON of a service's dataclass: decimals as exact strings, ids as text."""
    if type(value) in _PLAIN:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def set_fields(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a client actually sent in a PATCH-style body (UNSET ones left out)."""
    return {
        name: getattr(struct, name)
        for name in struct.__struct_fields__
        if getattr(struct, name) is not msgspec.UNSET
    }


def client_address(request: Any) -> str | None:
    """The peer's address as the server sees it (proxy headers are not trusted here:
    behind a proxy, run uvicorn with ``--proxy-headers`` so this is the real client)."""
    client = getattr(request, "client", None)
    return client.host if client else None
