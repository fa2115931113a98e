"""/api/v1/counts: cycle counts — create, list, read (blind), enter counts, submit,
review variances, post (approve) and cancel.

Counters (storekeeper, planner, admin, owner) never get book quantities from the routes
they use: a count and its lines are answered without ``expected``/``book`` figures.
Only ``/variances`` and ``/post`` show them, and only approvers (owner, admin, planner)
may call those.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory import count_variances, counts
from web.api.common import api_get, api_post, to_json
from web.api.inventory_common import HANDLERS
from web.auth import roles

Status = Literal["open", "counted", "posted", "cancelled"]
counters = [roles(counts.COUNTERS)]
approvers = [roles(counts.APPROVERS)]


class CountIn(msgspec.Struct, forbid_unknown_fields=True):
    location: str | None = None
    abc_class: str | None = None
    note: str | None = None


class CountEntry(msgspec.Struct, forbid_unknown_fields=True):
    counted: Decimal | None = None
    line_id: uuid.UUID | None = None
    sku: str | None = None
    location: str | None = None
    lot: str | None = None
    #: Serial-tracked items: the serial numbers scanned (``counted`` is then their number).
    serials: list[str] | None = None


class EntriesIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[CountEntry] = []


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str | None = None


def _entries(data: EntriesIn) -> list[dict[str, Any]]:
    return [{k: v for k, v in msgspec.structs.asdict(e).items() if v is not None} | {"counted": e.counted}
            for e in data.lines]


@api_post("/counts", status_code=201, guards=counters)
def create_count_route(principal: Principal, data: CountIn) -> dict[str, Any]:
    """Open a count of a location (and everything below it) and/or an ABC class."""
    raw = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    return to_json(counts.create_count(principal.tenant_id, raw, principal.user_id))


@api_get("/counts")
def list_counts_route(
    principal: Principal,
    status: Status | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Counts, newest first (without lines)."""
    rows, total = counts.list_counts(principal.tenant_id, status, limit, offset)
    return {"items": to_json(rows), "total": total, "limit": limit, "offset": offset}


@api_get("/counts/{count_id:uuid}")
def get_count_route(principal: Principal, count_id: uuid.UUID) -> dict[str, Any]:
    """A count and its lines, blind: what to count and what was counted, no book figures."""
    return to_json(counts.get_count(principal.tenant_id, count_id))


@api_post("/counts/{count_id:uuid}/lines", status_code=200, guards=counters)
def enter_counts_route(principal: Principal, count_id: uuid.UUID, data: EntriesIn) -> dict[str, Any]:
    """Enter counted quantities: ``{"lines": [{"line_id", "counted"}, …]}``; a line for stock
    found where the book had none is ``{"sku", "location", "lot"?, "counted"}``; a
    serial-tracked item is counted by ``"serials": [...]`` (the serial numbers scanned)."""
    return to_json(counts.enter_counts(principal.tenant_id, count_id, _entries(data), principal.user_id))


@api_post("/counts/{count_id:uuid}/submit", status_code=200, guards=counters)
def submit_count_route(principal: Principal, count_id: uuid.UUID) -> dict[str, Any]:
    """Hand the count in for review (every line must be counted)."""
    return to_json(counts.submit_count(principal.tenant_id, count_id, principal.user_id))


@api_get("/counts/{count_id:uuid}/variances", guards=approvers)
def count_variances_route(principal: Principal, count_id: uuid.UUID) -> dict[str, Any]:
    """Expected, book and counted quantities per line, variance in quantity and value;
    serial lines also give ``missing_serials`` and ``found_serials``."""
    return to_json(count_variances.review_count(principal.tenant_id, count_id))


@api_post("/counts/{count_id:uuid}/post", status_code=200, guards=approvers, exception_handlers=HANDLERS)
def post_count_route(principal: Principal, count_id: uuid.UUID) -> dict[str, Any]:
    """Approve: post every variance as ``count`` adjustments (serial lines: adjustments and
    transfers naming the serials); all or nothing; a retry posts once."""
    return to_json(count_variances.post_count(principal.tenant_id, count_id, principal.user_id))


@api_post("/counts/{count_id:uuid}/cancel", status_code=200, guards=counters)
def cancel_count_route(principal: Principal, count_id: uuid.UUID, data: CancelIn | None = None) -> dict[str, Any]:
    """Cancel an open count (a submitted one: approvers only). Nothing is posted."""
    return to_json(counts.cancel_count(principal.tenant_id, count_id, principal.user_id,
                                       principal.role in counts.APPROVERS, data.reason if data else None))


handlers = [
    create_count_route, list_counts_route, get_count_route, enter_counts_route, submit_count_route,
    count_variances_route, post_count_route, cancel_count_route,
]
