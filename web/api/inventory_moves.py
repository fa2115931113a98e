"""/api/v1/stock-moves: post (idempotent), list, read and reverse moves; an item's history."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import MediaType, Response
from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory.history import item_history
from core.inventory.move_queries import MoveFilter, get_move, list_moves
from core.inventory.move_types import MovePosted, MoveRequest
from core.inventory.posting import post_stock_move, reverse_stock_move
from web.api.common import to_json
from web.api.inventory_common import instant, inv_get, inv_post, page, write

MoveKind = Literal["receipt", "issue", "transfer", "adjustment", "scrap"]


class ReferenceIn(msgspec.Struct, forbid_unknown_fields=True):
    """The document a move belongs to, e.g. ``{"type": "work_order", "id": "WO-7"}``."""

    type: str
    id: str | int


class MoveIn(msgspec.Struct, forbid_unknown_fields=True):
    """A move to post. ``quantity`` and ``unit_cost`` are exact decimals (string or number).

    Locations by id or code: receipt → ``to_location``; issue, scrap → ``from_location``;
    transfer → both; adjustment → ``to_location`` (gain) or ``from_location`` (loss).
    """

    kind: MoveKind
    sku: str
    quantity: Decimal
    idempotency_key: str
    from_location: str | None = None
    to_location: str | None = None
    lot: str | None = None
    expiry_date: date | None = None
    supplier_lot: str | None = None
    serials: list[str] | None = None
    unit_cost: Decimal | None = None
    reason: str | None = None
    reference: ReferenceIn | None = None
    reservation_id: uuid.UUID | None = None


class ReverseIn(msgspec.Struct, forbid_unknown_fields=True):
    """``idempotency_key`` is required (checked once the move is found)."""

    idempotency_key: str | None = None
    reason: str | None = None


def request_of(data: MoveIn) -> MoveRequest:
    """The service's request from the API body."""
    reference = data.reference
    return MoveRequest(
        kind=data.kind, sku=data.sku, quantity=data.quantity, idempotency_key=data.idempotency_key,
        from_location=data.from_location, to_location=data.to_location, lot=data.lot,
        expiry_date=data.expiry_date, supplier_lot=data.supplier_lot, serials=tuple(data.serials or ()),
        unit_cost=data.unit_cost, reason=data.reason,
        reference_type=reference.type if reference else None,
        reference_id=str(reference.id) if reference else None, reservation_id=data.reservation_id,
    )


def posted_answer(posted: MovePosted) -> Response[dict[str, Any]]:
    """201 with the move (and every move of a split posting in ``moves``); 200 for a repeat."""
    body = {**to_json(posted.move), "moves": to_json(list(posted.moves))}
    return Response(body, status_code=201 if posted.created else 200, media_type=MediaType.JSON)


@inv_post("/stock-moves", status_code=201, guards=write)
def post_move_route(principal: Principal, data: MoveIn) -> Response[dict[str, Any]]:
    """Post a stock move. Repeating an idempotency key with the same body answers 200 with
    the original move; with another body 409. Not enough stock: 409 naming item, location,
    lot, available and requested."""
    return posted_answer(post_stock_move(principal.tenant_id, request_of(data), principal.user_id))


@inv_get("/stock-moves")
def list_moves_route(
    principal: Principal,
    sku: str | None = None,
    location: str | None = None,
    lot: str | None = None,
    kind: MoveKind | None = None,
    posted_from: Annotated[str | None, Parameter(query="from")] = None,
    posted_to: Annotated[str | None, Parameter(query="to")] = None,
    reference_type: str | None = None,
    reference_id: str | None = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """Moves newest first; ``location`` includes its children; ``from``/``to`` are dates or
    date-times of posting."""
    filters = MoveFilter(sku, location, lot, kind, instant(posted_from, "from"),
                         instant(posted_to, "to", end_of_day=True), reference_type, reference_id)
    rows, total = list_moves(principal.tenant_id, filters, limit, offset)
    return page(to_json(rows), total, limit, offset)


@inv_get("/stock-moves/{move_id:uuid}")
def get_move_route(principal: Principal, move_id: uuid.UUID) -> dict[str, Any]:
    """One move."""
    return to_json(get_move(principal.tenant_id, move_id))


@inv_post("/stock-moves/{move_id:uuid}/reverse", status_code=201, guards=write)
def reverse_move_route(principal: Principal, move_id: uuid.UUID, data: ReverseIn) -> Response[dict[str, Any]]:
    """Post the exact opposite of a move, linked to it. A move is reversed once (409 after)."""
    posted = reverse_stock_move(principal.tenant_id, move_id, data.idempotency_key, data.reason,
                                principal.user_id)
    return posted_answer(posted)


@inv_get("/items/{ref:str}/history")
def item_history_route(
    principal: Principal,
    ref: str,
    location: str | None = None,
    lot: str | None = None,
    posted_from: Annotated[str | None, Parameter(query="from")] = None,
    posted_to: Annotated[str | None, Parameter(query="to")] = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    offset: Annotated[int, Parameter(ge=0)] = 0,
) -> dict[str, Any]:
    """The item's moves in order with the balance after each (of the whole item, or of a
    location and its children), computed at read time."""
    history = item_history(principal.tenant_id, ref, location, lot, instant(posted_from, "from"),
                           instant(posted_to, "to", end_of_day=True), limit, offset)
    body: dict[str, Any] = to_json(history)
    body["items"] = [{**line["move"], "change": line["change"], "balance": line["balance"]}
                     for line in body.pop("lines")]
    return body


handlers = [post_move_route, list_moves_route, get_move_route, reverse_move_route, item_history_route]
