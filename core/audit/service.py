"""Reading the audit log: filters and a page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from core import db
from core.audit.models import AuditEntry
from core.errors import InvalidInput

ACTIONS = ("create", "update", "delete")
MAX_LIMIT = 200


@dataclass(frozen=True)
class AuditView:
    id: uuid.UUID
    at: datetime
    user_id: uuid.UUID | None
    actor: str | None
    request_id: str | None
    action: str
    table: str
    row_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AuditFilters:
    """Each filter is optional; ``row`` matches the row key (e.g. an item's id)."""

    table: str | None = None
    action: str | None = None
    user_id: uuid.UUID | None = None
    row: str | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditView]
    total: int
    limit: int
    offset: int


def list_audit(tenant_id: uuid.UUID, filters: AuditFilters, limit: int = 50, offset: int = 0) -> AuditPage:
    """The tenant's audit entries matching ``filters``, newest first, one page at a time."""
    if filters.action and filters.action not in ACTIONS:
        raise InvalidInput(f"action must be one of: {', '.join(ACTIONS)}", "action")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    if offset < 0:
        raise InvalidInput("offset must not be negative", "offset")
    conditions: list[Any] = [AuditEntry.tenant_id == tenant_id]
    if filters.table:
        conditions.append(AuditEntry.table_name == filters.table)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.user_id:
        conditions.append(AuditEntry.user_id == filters.user_id)
    if filters.row:
        conditions.append(AuditEntry.row_key == filters.row)
    if filters.request_id:
        conditions.append(AuditEntry.request_id == filters.request_id)
    if filters.since:
        conditions.append(AuditEntry.at >= filters.since)
    if filters.until:
        conditions.append(AuditEntry.at < filters.until)
    with db.tenant_session(tenant_id) as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
        rows = session.scalars(select(AuditEntry).where(*conditions)
                               .order_by(AuditEntry.at.desc(), AuditEntry.id).limit(limit).offset(offset))
        items = [AuditView(r.id, r.at, r.user_id, r.actor, r.request_id, r.action, r.table_name,
                           r.row_key, r.before, r.after) for r in rows]
    return AuditPage(items, int(total or 0), limit, offset)
