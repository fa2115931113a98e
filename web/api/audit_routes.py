"""/api/v1/audit: who changed what, when, before and after (owner and admin)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from core.audit.service import AuditFilters, list_audit
from core.auth.login import Principal
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import api_get, to_json
from web.auth import roles


@api_get("/audit", guards=[roles(TENANT_ADMINS)])
def audit_route(
    principal: Principal, table: str | None = None, action: str | None = None,
    user_id: uuid.UUID | None = None, row: str | None = None, request_id: str | None = None,
    since: datetime | None = None, until: datetime | None = None, limit: int = 50, offset: int = 0,
) -> dict[str, Any]:
    """Audit entries, newest first; filter by table, action, user, row key, request id, time."""
    page = list_audit(principal.tenant_id, AuditFilters(table, action, user_id, row, request_id,
                                                        since, until), limit, offset)
    return to_json(page)


handlers = [audit_route]
