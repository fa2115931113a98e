"""Reading a run's results: status, planned orders, exceptions, item records, alerts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.items import find_item
from core.catalog.models import Item
from core.errors import NotFound
from core.job_records import Job
from core.planning.models import MrpRecord, MrpRun, PlanException, PlannedOrder, item_of


@dataclass(frozen=True)
class RunView:
    id: uuid.UUID
    plant_id: uuid.UUID
    job_id: uuid.UUID | None
    status: str
    progress: int
    start_date: date
    bucket: str
    periods: int
    period_starts: list[date]
    counts: dict[str, Any]
    timings: dict[str, Any]
    error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class PlannedOrderView:
    id: uuid.UUID
    run_id: uuid.UUID
    sku: str
    item_name: str
    kind: str
    quantity: Decimal
    release_period: int
    receipt_period: int
    release_date: date
    due_date: date
    status: str
    source: str
    pegging: list[dict[str, Any]]


@dataclass(frozen=True)
class ExceptionView:
    id: uuid.UUID
    sku: str
    kind: str
    period: int
    message: str
    details: dict[str, Any]


def _run(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID) -> MrpRun:
    run = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id, MrpRun.id == run_id)).one_or_none()
    if run is None:
        raise NotFound(f"no MRP run {run_id}", "run")
    return run


def _run_view(session: Session, run: MrpRun) -> RunView:
    progress = 100 if run.status == "succeeded" else 0
    if run.job_id and run.status != "succeeded":
        job = session.scalars(select(Job).where(Job.tenant_id == run.tenant_id, Job.id == run.job_id)).first()
        progress = job.progress if job else 0
    return RunView(run.id, run.plant_id, run.job_id, run.status, progress, run.start_date, run.bucket,
                   run.periods, list(run.period_starts), run.counts, run.timings, run.error, run.created_at,
                   run.finished_at)


def get_run(tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunView:
    """A run's status, progress (0-100), counts and phase timings."""
    with db.tenant_session(tenant_id) as session:
        return _run_view(session, _run(session, tenant_id, run_id))


def list_runs(tenant_id: uuid.UUID, limit: int = 20) -> list[RunView]:
    """The latest runs, newest first."""
    with db.tenant_session(tenant_id) as session:
        runs = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id)
                               .order_by(MrpRun.created_at.desc()).limit(limit))
        return [_run_view(session, r) for r in runs]


def latest_run_id(session: Session, tenant_id: uuid.UUID) -> uuid.UUID:
    """The newest run that succeeded; 404 when there is none yet."""
    found = session.scalars(select(MrpRun.id).where(MrpRun.tenant_id == tenant_id, MrpRun.status == "succeeded")
                            .order_by(MrpRun.created_at.desc()).limit(1)).first()
    if found is None:
        raise NotFound("no MRP run has finished yet", "run")
    return found


def order_view(order: PlannedOrder, item: Item) -> PlannedOrderView:
    return PlannedOrderView(order.id, order.run_id, item.sku, item.name, order.kind, order.quantity,
                            order.release_period, order.receipt_period, order.release_date, order.due_date,
                            order.status, order.source, order.pegging)


def _with_item(tenant_id: uuid.UUID) -> Any:
    return (select(PlannedOrder, Item)
            .join(Item, item_of(PlannedOrder))
            .where(PlannedOrder.tenant_id == tenant_id))


def list_planned_orders(tenant_id: uuid.UUID, run_id: uuid.UUID, sku: str | None = None,
                        kind: str | None = None, status: str | None = None, limit: int = 100,
                        offset: int = 0) -> tuple[list[PlannedOrderView], int]:
    """A run's planned orders by release date then sku, with filters."""
    with db.tenant_session(tenant_id) as session:
        _run(session, tenant_id, run_id)
        query = _with_item(tenant_id).where(PlannedOrder.run_id == run_id)
        if sku:
            query = query.where(Item.id == find_item(session, tenant_id, sku).id)
        if kind:
            query = query.where(PlannedOrder.kind == kind)
        if status:
            query = query.where(PlannedOrder.status == status)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.execute(query.order_by(PlannedOrder.release_date, Item.sku, PlannedOrder.receipt_period)
                               .limit(limit).offset(offset))
        return [order_view(o, i) for o, i in rows], total


def list_exceptions(tenant_id: uuid.UUID, run_id: uuid.UUID, kind: str | None = None,
                    limit: int = 200, offset: int = 0) -> tuple[list[ExceptionView], int]:
    """A run's exceptions (past due first, then by period and sku)."""
    with db.tenant_session(tenant_id) as session:
        _run(session, tenant_id, run_id)
        query = (select(PlanException, Item.sku)
                 .join(Item, item_of(PlanException))
                 .where(PlanException.tenant_id == tenant_id, PlanException.run_id == run_id))
        if kind:
            query = query.where(PlanException.kind == kind)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        order = (PlanException.kind != "past_due", PlanException.period, Item.sku)
        rows = session.execute(query.order_by(*order).limit(limit).offset(offset))
        return [ExceptionView(e.id, sku, e.kind, e.period, e.message, e.details) for e, sku in rows], total


@dataclass(frozen=True)
class ItemRecordView:
    run_id: uuid.UUID
    sku: str
    name: str
    low_level_code: int
    period_starts: list[date]
    record: dict[str, Any]


def item_record(tenant_id: uuid.UUID, ref: str, run_id: uuid.UUID | None = None) -> ItemRecordView:
    """The time-phased MRP record of one item in a run (default: the latest finished run)."""
    with db.tenant_session(tenant_id) as session:
        item = find_item(session, tenant_id, ref)
        run = _run(session, tenant_id, run_id or latest_run_id(session, tenant_id))
        row = session.scalars(select(MrpRecord).where(
            MrpRecord.tenant_id == tenant_id, MrpRecord.run_id == run.id, MrpRecord.item_id == item.id)).one_or_none()
        if row is None:
            raise NotFound(f"item {item.sku!r} has no record in run {run.id}", "item")
        return ItemRecordView(run.id, item.sku, item.name, row.low_level_code, list(run.period_starts), row.record)
