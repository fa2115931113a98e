"""Alerts: what needs someone's attention now, gathered from core and enabled plugins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core import db
from core.plugins import call_hook

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Alert:
    """One alert line: ``severity`` is info, warning or critical; ``link`` a page path."""

    severity: str
    title: str
    detail: str
    link: str | None = None
    source: str = "core"


def plugin_alerts(tenant_id: uuid.UUID) -> list[Alert]:
    """The alerts every enabled plugin raises, most severe first."""
    with db.tenant_session(tenant_id) as session:
        answers = call_hook(session, tenant_id, "dashboard_alerts", tenant_id=tenant_id, session=session)
    found = [alert for answer in answers for alert in (answer or []) if isinstance(alert, Alert)]
    return sorted(found, key=lambda a: (-SEVERITIES.index(a.severity), a.title))
