"""Capturing changes: a SQLAlchemy ``after_flush`` listener turns every ORM insert, update
and delete of a tenant row into an audit_log row, in the same transaction.

Scope (what is *not* captured, on purpose): global tables (``app_user`` holds password
hashes and is no tenant data), tables that declare ``__audited__ = False`` (the log
itself, job progress, the mail outbox, Stripe event receipts), columns a model lists in
``__audit_ignore__`` (an update that only touches those, such as an API key's
``last_used_at``, is not logged; columns in ``__audit_redact__`` are logged as
``"[redacted]"``), and bulk SQL statements that bypass the ORM unit of work
(``session.execute(insert/update/delete …)``, e.g. derived data such as MRP results
written with INSERT … SELECT): services change tenant data through the ORM so it is seen.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.audit import context
from core.audit.models import AuditEntry

_installed = False


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes | memoryview):
        return "[binary]"
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _audited(obj: Any) -> bool:
    return bool(getattr(obj, "__tenant_table__", False)) and getattr(obj, "__audited__", True)


def _tenant_of(obj: Any) -> uuid.UUID | None:
    if getattr(obj, "__tablename__", "") == "tenant":
        return getattr(obj, "id", None)
    return getattr(obj, "tenant_id", None)


def _snapshots(obj: Any, action: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
    """(before, after, changed): loaded values only, so capturing never emits a query."""
    state = inspect(obj)
    redact: set[str] = set(getattr(obj, "__audit_redact__", ()))
    ignore: set[str] = set(getattr(obj, "__audit_ignore__", ()))
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changed = False
    for attr in state.mapper.column_attrs:
        key = attr.key
        name = attr.columns[0].name
        history = state.attrs[key].history
        if action == "update":
            if history.deleted or history.added:
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old != new and key not in ignore:
                    changed = True
            elif history.unchanged:
                old = new = history.unchanged[0]
            else:
                continue
        else:
            if key not in state.dict:
                continue
            old = new = state.dict[key]
        if name in redact:
            old = new = "[redacted]"
        before[name], after[name] = _json(old), _json(new)
    if action == "create":
        return None, after, True
    if action == "delete":
        return before, None, True
    return before, after, changed


def _row_key(obj: Any) -> str:
    state = inspect(obj)
    parts = [str(v) for col, v in zip(state.mapper.primary_key, state.identity or (), strict=False)
             if col.name != "tenant_id" or getattr(obj, "__tablename__", "") == "tenant"]
    if not parts:  # identity not assigned yet: read the loaded primary-key values
        parts = [str(state.dict.get(col.key)) for col in state.mapper.primary_key
                 if col.name != "tenant_id"]
    return "/".join(parts)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    who = context.actor.get()
    user_id = who.user_id if who else session.info.get("user_id")
    label = who.label if who else None
    request = context.request_id.get()
    rows: list[dict[str, Any]] = []
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if not _audited(obj):
                continue
            tenant_id = _tenant_of(obj)
            if tenant_id is None:
                continue
            before, after, changed = _snapshots(obj, action)
            if not changed:
                continue
            rows.append({"tenant_id": tenant_id, "id": uuid.uuid4(), "user_id": user_id,
                         "actor": label, "request_id": request, "action": action,
                         "table_name": obj.__tablename__, "row_key": _row_key(obj),
                         "before": before, "after": after})
    if rows:
        # Core insert on the flush's own connection: same transaction, no re-flush.
        session.connection().execute(insert(cast(Table, AuditEntry.__table__)), rows)


def install() -> None:
    """Listen on every Session (idempotent); called when the engine is configured."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True
