"""What the lab must look at now (dashboard alerts) and its daily housekeeping.

Alerts are computed when shown, never stored: lots waiting for QC, reagents below their
minimum or above their maximum usable stock, and assay runs short of a reagent from
``shortage_alert_days`` before the run (critical on the day itself or once overdue).
The daily scan reserves what short runs lack (stock may have arrived or been released),
which is idempotent: a second scan of the same day finds nothing more to reserve.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.alerts import Alert
from core.catalog.models import Item
from core.inventory.models import Lot
from plugins.pharma_lab.assays import retry_shortages, runs_short
from plugins.pharma_lab.models import ReagentProfile
from plugins.pharma_lab.reagents import usable_stock
from plugins.pharma_lab.settings import read_settings

SOURCE = "pharma_lab"


def _plain(value: Any) -> str:
    return format(value.normalize(), "f") if value else "0"


def stock_alerts(session: Session, tenant_id: uuid.UUID, today: date) -> list[Alert]:
    """One alert per reagent below its minimum (warning) or above its maximum (info)."""
    stock = usable_stock(session, tenant_id, today)
    rows = session.execute(
        select(ReagentProfile.item_id, ReagentProfile.min_stock, ReagentProfile.max_stock, Item.sku)
        .join(Item, (Item.tenant_id == ReagentProfile.tenant_id) & (Item.id == ReagentProfile.item_id))
        .where(ReagentProfile.tenant_id == tenant_id).order_by(Item.sku))
    found = []
    for item_id, low, high, sku in rows:
        usable = stock.get(item_id, 0)
        if low is not None and usable < low:
            found.append(Alert("warning", f"Reagent {sku} below minimum",
                               f"{_plain(usable)} usable, minimum {_plain(low)}: reorder",
                               "/app/pharma/reagents", SOURCE))
        elif high is not None and usable > high:
            found.append(Alert("info", f"Reagent {sku} above maximum",
                               f"{_plain(usable)} usable, maximum {_plain(high)}", "/app/pharma/reagents", SOURCE))
    return found


def run_alerts(session: Session, tenant_id: uuid.UUID, today: date) -> list[Alert]:
    """Runs within the alert window that lack a reagent."""
    window = read_settings(session, tenant_id).shortage_alert_days
    found = []
    for run in runs_short(session, tenant_id, until=today + timedelta(days=window)):
        lacking = ", ".join(f"{line.sku} short {_plain(line.short)}" for line in run.lines if line.short > 0)
        severity = "critical" if run.scheduled_on <= today else "warning"
        found.append(Alert(severity, f"Assay {run.method} on {run.scheduled_on} is short of reagents",
                           f"{lacking} at {run.location_code}", "/app/pharma/assays", SOURCE))
    return found


def qc_alert(session: Session, tenant_id: uuid.UUID) -> list[Alert]:
    """How many lots wait in quarantine for a QC decision."""
    waiting = session.scalar(select(func.count()).select_from(Lot).where(
        Lot.tenant_id == tenant_id, Lot.status == "quarantine")) or 0
    if not waiting:
        return []
    return [Alert("info", f"{waiting} lot{'s' if waiting != 1 else ''} waiting for QC release",
                  "quarantined lots can be neither issued nor reserved", "/app/pharma/qc", SOURCE)]


def lab_alerts(session: Session, tenant_id: uuid.UUID, today: date) -> list[Alert]:
    """Every alert of the lab, read only."""
    return [*run_alerts(session, tenant_id, today), *stock_alerts(session, tenant_id, today),
            *qc_alert(session, tenant_id)]


def daily(session: Session, tenant_id: uuid.UUID, today: date) -> dict[str, Any]:
    """The day's housekeeping: reserve for short runs; report what still needs attention."""
    gained = retry_shortages(session, tenant_id, today)
    return {"plugin": SOURCE, "runs_newly_reserved": gained,
            "runs_short": len(runs_short(session, tenant_id)),
            "reagents_below_min": sum(1 for a in stock_alerts(session, tenant_id, today)
                                      if a.severity == "warning")}
