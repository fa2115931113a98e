"""The jobs table: what a long-running piece of work is doing, for the UI to show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.orm import Base, created_at, tenant_fk, uuid_pk


class Job(Base):
    __tablename__ = "job"
    __tenant_table__ = True
    __audited__ = False  # progress ticks are no business change; the job's effects are logged

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def create_job(
    session: Session,
    tenant_id: uuid.UUID,
    kind: str,
    params: dict[str, Any],
    created_by: uuid.UUID | None = None,
) -> Job:
    """Record a queued job; the caller enqueues the message after the transaction commits."""
    job = Job(tenant_id=tenant_id, kind=kind, params=params, created_by=created_by,
              status="queued", progress=0)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, tenant_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    """The tenant's job, or None (never another tenant's)."""
    return session.scalars(
        select(Job).where(Job.tenant_id == tenant_id, Job.id == job_id)
    ).one_or_none()
