"""Posting a plain move in one call to the database (``post_plain_move``, migration 0116).

A plain move: an item with no lot or serial tracking, named by its sku, locations named
by code, no reservation, no reversal, a tenant with no enabled plugin that watches
postings. That is most of what a plant posts. Through the general path it costs six
round trips and about 1.5 ms of client CPU; in one call it is one round trip and about
0.5 ms, and the server runs fewer statements, which is what lets two cores post about
1,000 moves a second.

The function settles the happy path only. Whatever else may happen — an unknown item,
a used key, short stock, a negative position — it gives up without a trace and
:func:`post_plain_move` returns None: the caller posts the move the general way
(:mod:`core.inventory.posting`), which owns every refusal and replay. Both ways take
the same locks in the same order and cost a move to the same digit.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

import psycopg

from core.inventory.move_types import DocumentRef, MovePosted, MoveRequest, MoveView
from core.inventory.refs import as_uuid
from core.plugins import implementers
from core.statement_connections import statement_cursor

#: SQLSTATE of the function giving up after it wrote (its writes are rolled back).
NOT_PLAIN = "PTNPM"

_POST = """
SELECT * FROM post_plain_move(%(tenant)s, %(user)s, %(kind)s, %(sku)s, %(quantity)s, %(source)s, %(target)s,
    %(unit_cost)s, %(reason)s, %(ref_type)s, %(ref_id)s, %(key)s, %(hash)s, %(hooked)s)
"""

#: How many postings went which way, in this process ("plain", "general"): the bench reports it.
paths: Counter[str] = Counter()
_paths_lock = threading.Lock()


def count_path(path: str) -> None:
    """Count one posting that went ``path``."""
    with _paths_lock:
        paths[path] += 1


def is_plain(req: MoveRequest) -> bool:
    """Whether the request allows the one-call posting (the item and the tenant are checked
    by the function)."""
    return (req.lot is None and not req.serials and req.reservation_id is None
            and req.expiry_date is None and req.supplier_lot is None and as_uuid(req.sku) is None
            and all(ref is None or as_uuid(ref) is None for ref in (req.from_location, req.to_location)))


def post_plain_move(tenant_id: uuid.UUID, req: MoveRequest, user_id: uuid.UUID | None) -> MovePosted | None:
    """Post the cleaned request ``req`` in one auto-committed statement; None when it is
    not a plain move (nothing was written: post it the general way)."""
    if not is_plain(req):
        return None
    params = {
        "tenant": tenant_id, "user": user_id, "kind": req.kind, "sku": req.sku, "quantity": req.quantity,
        "source": _code(req.from_location), "target": _code(req.to_location), "unit_cost": req.unit_cost,
        "reason": req.reason, "ref_type": req.reference_type, "ref_id": req.reference_id,
        "key": req.idempotency_key, "hash": req.fingerprint(), "hooked": _hooked_plugins(),
    }
    row = _call(params)
    if row is None or row[0] is None:
        return None
    return MovePosted((_view(req, row, user_id),), created=True)


def _call(params: dict[str, Any]) -> Any:
    """The function's row, or None when it gave up (after writing: rolled back)."""
    try:
        with statement_cursor() as cursor:
            return cursor.execute(_POST, params).fetchone()
    except (psycopg.errors.DataError,  # a balance or value beyond NUMERIC(20, 6)
            psycopg.errors.UniqueViolation,  # a concurrent posting took the key
            psycopg.OperationalError):  # a lost connection, a deadlock: the general path knows
        return None
    except psycopg.Error as exc:
        if exc.sqlstate == NOT_PLAIN:
            return None
        raise


def _hooked_plugins() -> str:
    """Plugins that must see a posting (their tenants post the general way), as an array
    literal: psycopg adapts a list afresh on every call."""
    names = implementers("before_post_move") | implementers("after_post_move")
    return "{" + ",".join(sorted(names)) + "}"


def _code(ref: str | None) -> str | None:
    return ref.strip().upper() if ref is not None else None


def _view(req: MoveRequest, row: Any, user_id: uuid.UUID | None) -> MoveView:
    move_id, seq, posted_at, item_id, source, target, unit, total = row
    reference = DocumentRef(req.reference_type, req.reference_id) \
        if req.reference_type and req.reference_id else None
    if req.unit_cost is not None:
        unit = req.unit_cost  # as the caller wrote it, as the general path answers
    return MoveView(
        move_id, seq, move_id, req.kind, item_id, req.sku, req.quantity,
        source, _code(req.from_location) if source else None, target, _code(req.to_location) if target else None,
        None, None, [], unit, total if total is not None else Decimal(0), Decimal(0), req.reason, reference,
        None, None, None, req.idempotency_key, posted_at, user_id,
    )
