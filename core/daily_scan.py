"""The daily scan: once a day per tenant, enabled plugins do their housekeeping.

The worker process runs :class:`DailyScheduler`, which queues one ``daily_scan`` job per
active tenant and day. A Redis key per (tenant, day) makes queuing idempotent across
several workers and restarts; the plugins' own work must be idempotent as well, since a
retried message runs the scan again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import date
from typing import Any

from sqlalchemy import text

from core import db, kv
from core.job_records import create_job
from core.jobs import JobContext, enqueue, register_job_kind
from core.plugins import call_hook, implementers

KIND = "daily_scan"
log = logging.getLogger(__name__)


def scan_now(tenant_id: uuid.UUID, today: date) -> dict[str, Any]:
    """Call ``daily_scan`` on the tenant's enabled plugins for ``today``, in one transaction."""
    with db.tenant_session(tenant_id) as session:
        answers = call_hook(session, tenant_id, "daily_scan", tenant_id=tenant_id, today=today,
                            session=session)
    return {"date": today.isoformat(), "plugins": [a for a in answers if a]}


def run_daily_scan(ctx: JobContext) -> dict[str, Any]:
    """Job handler: the scan for the job's tenant and day."""
    return scan_now(ctx.tenant_id, date.fromisoformat(ctx.params["date"]))


register_job_kind(KIND, run_daily_scan)


def queue_daily_scan(tenant_id: uuid.UUID, day: date, user_id: uuid.UUID | None = None) -> uuid.UUID:
    """Create and enqueue a ``daily_scan`` job for the tenant and day; return its id."""
    with db.tenant_session(tenant_id, user_id) as session:
        job = create_job(session, tenant_id, KIND, {"date": day.isoformat()}, user_id)
        job_id = job.id
    enqueue(tenant_id, job_id)
    return job_id


def tenants_to_scan() -> list[uuid.UUID]:
    """The tenants that enabled at least one plugin implementing ``daily_scan``."""
    found: set[uuid.UUID] = set()
    with db.global_session() as session:
        for name in sorted(implementers("daily_scan")):
            # RLS hides tenant_plugin from a session with no tenant; see migration 0107.
            found.update(session.scalars(text("SELECT tenants_with_plugin(:name)"), {"name": name}))
    return sorted(found)


def queue_due_scans(day: date) -> int:
    """Queue today's scan for every tenant not yet queued today; return how many were."""
    queued = 0
    for tenant_id in tenants_to_scan():
        # SET NX with a two-day expiry: the first worker to see the day claims it.
        if kv.client().set(f"plantops:daily_scan:{tenant_id}:{day.isoformat()}", "1", nx=True,
                           ex=2 * 86400):
            queue_daily_scan(tenant_id, day)
            queued += 1
    return queued


class DailyScheduler:
    """A thread that checks every ``interval`` seconds whether today's scans are queued."""

    def __init__(self, interval: float = 300.0) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="daily-scan", daemon=True)

    def start(self) -> DailyScheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                queue_due_scans(date.today())
            except Exception:  # a database hiccup must not kill the scheduler
                log.exception("queuing the daily scans failed")
            self._stop.wait(self.interval)
