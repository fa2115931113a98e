"""The dramatiq broker and the one actor that runs every kind of job.

Each message carries the tenant id and the job id; the job row says what to do. The
actor is idempotent: a job that already finished is not run again, so a redelivered
message is harmless.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from core import db
from core.audit import context as audit_context
from core.audit.context import Actor
from core.errors import DomainError
from core.job_records import Job, get_job

log = logging.getLogger(__name__)

JobHandler = Callable[["JobContext"], dict[str, Any]]
_handlers: dict[str, JobHandler] = {}
_broker: RedisBroker | None = None
_run_job: dramatiq.Actor[Any, Any] | None = None
_actors: dict[str, dramatiq.Actor[Any, Any]] = {}


class JobContext:
    """What a handler gets: the job's tenant, parameters and a way to report progress."""

    def __init__(self, tenant_id: uuid.UUID, job_id: uuid.UUID, params: dict[str, Any]) -> None:
        self.tenant_id = tenant_id
        self.job_id = job_id
        self.params = params

    def progress(self, percent: int) -> None:
        """Record progress in its own transaction so the UI sees it at once."""
        with db.tenant_session(self.tenant_id) as session:
            job = get_job(session, self.tenant_id, self.job_id)
            if job is not None:
                job.progress = max(0, min(100, percent))


def register_job_kind(kind: str, handler: JobHandler) -> None:
    """Declare the function that runs jobs of ``kind`` (one per kind)."""
    _handlers[kind] = handler


def setup_broker(redis_url: str) -> RedisBroker:
    """Create the Redis broker, make it dramatiq's global one, and declare the actor."""
    global _broker, _run_job
    if _broker is not None:
        return _broker
    _broker = RedisBroker(url=redis_url)
    dramatiq.set_broker(_broker)
    _run_job = dramatiq.actor(actor_name="run_job", max_retries=3, min_backoff=500)(run_job)
    from core import kv
    from core.mail.outbox import deliver

    kv.configure(redis_url)
    _actors["send_mail"] = dramatiq.actor(actor_name="send_mail", max_retries=5,
                                          min_backoff=1000)(deliver)
    from core.billing.webhooks import process

    _actors["process_stripe_event"] = dramatiq.actor(actor_name="process_stripe_event", max_retries=10,
                                                     min_backoff=1000)(process)
    return _broker


def send(actor_name: str, *args: str) -> None:
    """Send a message to one of the named actors (``send_mail``, …) declared at set-up."""
    actor = _actors.get(actor_name)
    if actor is None:
        raise RuntimeError(f"actor {actor_name!r} is not declared; call setup_broker() first")
    actor.send(*args)


def send_mail(tenant_id: uuid.UUID, mail_id: uuid.UUID) -> None:
    """Deliver an outbox message; call after the transaction that queued it committed."""
    send("send_mail", str(tenant_id), str(mail_id))


def enqueue(tenant_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """Send the job to the workers; call after the transaction that created it committed."""
    if _run_job is None:
        raise RuntimeError("core.jobs.setup_broker() has not been called")
    _run_job.send(str(tenant_id), str(job_id))


def _start(tenant_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    with db.tenant_session(tenant_id) as session:
        job = get_job(session, tenant_id, job_id)
        if job is None or job.status in ("succeeded", "failed"):
            return None
        job.status, job.started_at, job.progress = "running", datetime.now(UTC), 0
        return job


def _finish(tenant_id: uuid.UUID, job_id: uuid.UUID, **values: Any) -> None:
    with db.tenant_session(tenant_id) as session:
        job = get_job(session, tenant_id, job_id)
        if job is not None:
            for name, value in values.items():
                setattr(job, name, value)
            job.finished_at = datetime.now(UTC)


def run_job(tenant_id: str, job_id: str) -> None:
    """The actor: run the job's handler and record its result or error."""
    tid, jid = uuid.UUID(tenant_id), uuid.UUID(job_id)
    job = _start(tid, jid)
    if job is None:
        return
    handler = _handlers.get(job.kind)
    if handler is None:
        _finish(tid, jid, status="failed", error=f"no handler for job kind {job.kind!r}")
        return
    try:
        # The job's changes are audited as its creator's, with the job as the "request".
        who = Actor(job.created_by, f"job {job.kind}")
        with audit_context.acting(who, f"job-{jid.hex}"):
            result = handler(JobContext(tid, jid, job.params))
    except DomainError as exc:  # the input is at fault: retrying will not help
        _finish(tid, jid, status="failed", error=exc.message)
        return
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _finish(tid, jid, status="failed", error=f"{type(exc).__name__}: {exc}")
        return
    _finish(tid, jid, status="succeeded", progress=100, result=result)


def start_worker(broker: RedisBroker, threads: int = 2) -> dramatiq.Worker:
    """A dramatiq worker inside this process (demo and tests); call ``stop()`` to end it."""
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=200)
    worker.start()
    return worker
