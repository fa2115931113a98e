"""What the inventory API modules share: the not-enough-stock answer, dates in queries, guards."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from litestar import MediaType, Request, Response

from core.errors import InvalidInput
from core.inventory.errors import InsufficientStock
from core.tenancy.roles import INVENTORY_WRITERS
from web.api.common import api_get, api_patch, api_post, api_put
from web.auth import roles


def insufficient_stock(_: Request[Any, Any, Any], exc: InsufficientStock) -> Response[dict[str, Any]]:
    """409 naming item, location, lot, available and requested beside the message."""
    body = {"status_code": exc.status, "detail": exc.message, "field": exc.field, **exc.details}
    return Response(body, status_code=exc.status, media_type=MediaType.JSON)


HANDLERS: dict[Any, Any] = {InsufficientStock: insufficient_stock}
inv_get = partial(api_get, exception_handlers=HANDLERS)
inv_post = partial(api_post, exception_handlers=HANDLERS)
inv_patch = partial(api_patch, exception_handlers=HANDLERS)
inv_put = partial(api_put, exception_handlers=HANDLERS)
write = [roles(INVENTORY_WRITERS)]


def instant(value: str | None, field: str, end_of_day: bool = False) -> datetime | None:
    """A query's date or date-time; a bare date means the start of that day (or its end,
    for the upper bound of a range); without a zone, UTC."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
            if end_of_day:
                moment -= timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD) or an ISO date-time", field) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page(items: Any, total: int, limit: int, offset: int) -> dict[str, Any]:
    """The list shape every API list answers with."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}
