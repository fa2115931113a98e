"""The lab's settings per tenant (created when the plugin is enabled; defaults apply
until then): from how many days before an assay run a reagent shortage alerts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from core import db
from core.errors import InvalidInput
from plugins.pharma_lab.models import LabSettings

DEFAULT_ALERT_DAYS = 3
MAX_ALERT_DAYS = 90


@dataclass(frozen=True)
class SettingsView:
    shortage_alert_days: int


def read_settings(session: Session, tenant_id: uuid.UUID) -> SettingsView:
    """The tenant's settings, or the defaults."""
    row = session.get(LabSettings, tenant_id)
    return SettingsView(row.shortage_alert_days if row else DEFAULT_ALERT_DAYS)


def ensure_settings(session: Session, tenant_id: uuid.UUID) -> None:
    """Create the default settings row unless there is one (on enabling the plugin)."""
    if session.get(LabSettings, tenant_id) is None:
        session.add(LabSettings(tenant_id=tenant_id, shortage_alert_days=DEFAULT_ALERT_DAYS))
        session.flush()


def get_settings(tenant_id: uuid.UUID) -> SettingsView:
    """The tenant's lab settings."""
    with db.tenant_session(tenant_id) as session:
        return read_settings(session, tenant_id)


def update_settings(tenant_id: uuid.UUID, raw: dict[str, Any], user_id: uuid.UUID | None) -> SettingsView:
    """Change ``shortage_alert_days`` (0 to 90)."""
    days = raw.get("shortage_alert_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_ALERT_DAYS:
        raise InvalidInput(f"shortage_alert_days must be a whole number from 0 to {MAX_ALERT_DAYS}",
                           "shortage_alert_days")
    with db.tenant_session(tenant_id, user_id) as session:
        row = session.get(LabSettings, tenant_id)
        if row is None:
            row = LabSettings(tenant_id=tenant_id)
            session.add(row)
        row.shortage_alert_days, row.updated_by, row.updated_at = days, user_id, func.now()
        session.flush()
        return SettingsView(days)
