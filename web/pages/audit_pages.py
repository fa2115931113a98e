"""The audit log page: filters, a page of entries, and each entry's before and after."""

from __future__ import annotations

import json
import uuid

from litestar.response import Template

from core.audit.service import AuditFilters, list_audit
from core.auth.login import Principal
from core.errors import DomainError
from core.tenancy.roles import TENANT_ADMINS
from core.tenancy.team import list_members
from web.auth import roles
from web.pages.common import page_get, render

PAGE = 50


@page_get("/app/audit", guards=[roles(TENANT_ADMINS)])
def audit_page(principal: Principal, table: str | None = None, action: str | None = None,
               user_id: str | None = None, row: str | None = None, offset: int = 0) -> Template:
    emails = {m.user_id: m.email for m in list_members(principal.tenant_id)}
    filters = {"table": table or "", "action": action or "", "user_id": user_id or "", "row": row or ""}
    try:
        who = uuid.UUID(user_id) if user_id else None
        page = list_audit(principal.tenant_id, AuditFilters(table or None, action or None, who, row or None),
                          PAGE, max(0, offset))
    except (DomainError, ValueError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "user is not a valid id"
        return render("audit.html", principal, status_code=422, active="audit", page=None,
                      filters=filters, emails=emails, error=message, dumps=json.dumps)
    return render("audit.html", principal, active="audit", page=page, filters=filters,
                  emails=emails, dumps=json.dumps)


handlers = [audit_page]
