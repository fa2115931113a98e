"""An MRP run as a job: load from the database, plan with the engine, store the results.

Each phase is timed and reported as progress; the run keeps its own copy of every
planned order, exception and item record, so yesterday's plan stays readable after
today's run.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core import db
from core.errors import InvalidInput
from core.job_records import create_job
from core.jobs import JobContext, enqueue, register_job_kind
from core.planning.bundle import parse_bundle
from core.planning.errors import BundleError
from core.planning.expiring_supply import replan_inputs
from core.planning.models import MrpRun
from core.planning.mrp_input import LoadedProblem, load_problem
from core.planning.plan_output import render_plan
from core.planning.planner import plan
from core.planning.planning_calendar import Buckets, get_calendar, make_buckets
from core.plugins import call_hook, enabled_plugins

KIND = "mrp_run"
CHUNK = 10_000


def start_mrp_run(tenant_id: uuid.UUID, plant_id: uuid.UUID, user_id: uuid.UUID | None,
                  today: date | None = None) -> tuple[uuid.UUID, uuid.UUID]:
    """Queue a run for the plant; return (run id, job id). The plan starts on ``today``."""
    calendar = get_calendar(tenant_id, plant_id)
    buckets = make_buckets(calendar, today or date.today())
    with db.tenant_session(tenant_id, user_id) as session:
        job = create_job(session, tenant_id, KIND, {"plant_id": str(plant_id)}, user_id)
        run = MrpRun(tenant_id=tenant_id, id=uuid.uuid4(), plant_id=plant_id, job_id=job.id, status="queued",
                     start_date=buckets.starts[0], bucket=buckets.bucket, periods=buckets.periods,
                     period_starts=buckets.starts, counts={}, timings={}, created_by=user_id)
        session.add(run)
        job.params = {"plant_id": str(plant_id), "run_id": str(run.id)}
        run_id, job_id = run.id, job.id
    enqueue(tenant_id, job_id)
    return run_id, job_id


def _set_run(tenant_id: uuid.UUID, run_id: uuid.UUID, **values: Any) -> None:
    with db.tenant_session(tenant_id) as session:
        run = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id, MrpRun.id == run_id)).one()
        for name, value in values.items():
            setattr(run, name, value)


def run_mrp(ctx: JobContext) -> dict[str, Any]:
    """Job handler: plan the plant and persist everything; returns the run's counts."""
    tenant_id, run_id = ctx.tenant_id, uuid.UUID(ctx.params["run_id"])
    _set_run(tenant_id, run_id, status="running")
    try:
        result = _run(ctx, tenant_id, run_id)
    except Exception as exc:
        message = str(exc) if isinstance(exc, BundleError | InvalidInput) else f"{type(exc).__name__}: {exc}"
        _set_run(tenant_id, run_id, status="failed", error=message, finished_at=datetime.now(UTC))
        raise
    return result


def _run(ctx: JobContext, tenant_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    with db.tenant_session(tenant_id) as session:
        run = session.scalars(select(MrpRun).where(MrpRun.tenant_id == tenant_id, MrpRun.id == run_id)).one()
        calendar = get_calendar(tenant_id, run.plant_id)
        buckets = Buckets(run.bucket, list(run.period_starts), frozenset(calendar.working_days))
        problem = load_problem(session, tenant_id, run.plant_id, calendar, buckets)
    timings["load_s"] = round(time.perf_counter() - clock, 3)
    ctx.progress(30)
    clock = time.perf_counter()
    output = render_plan(plan(parse_bundle(problem.bundle)))
    if problem.expiring:  # stock that expires inside the horizon: plan again without its unused part
        sku_of = {item.id: sku for sku, item in problem.items.items()}
        problem.bundle, notes = replan_inputs(problem.bundle, output, problem.expiring, sku_of, buckets)
        problem.notes.extend(notes)
        output = render_plan(plan(parse_bundle(problem.bundle)))
    timings["plan_s"] = round(time.perf_counter() - clock, 3)
    ctx.progress(50)
    clock = time.perf_counter()
    counts = store_results(ctx, tenant_id, run_id, problem, buckets, output)
    timings["store_s"] = round(time.perf_counter() - clock, 3)
    counts["beyond_horizon_lines"] = problem.beyond_horizon
    _set_run(tenant_id, run_id, status="succeeded", counts={**counts, "notes": problem.notes},
             timings=timings, finished_at=datetime.now(UTC))
    return {"run_id": str(run_id), **counts, "timings": timings}


def _order_rows(session: Session, tenant_id: uuid.UUID, run_id: uuid.UUID, problem: LoadedProblem,
                buckets: Buckets, output: dict[str, Any]) -> list[dict[str, Any]]:
    by_item: dict[str, list[dict[str, Any]]] = {}
    for order in output["planned_orders"]:
        by_item.setdefault(order["sku"], []).append(order)
    plugins_on = bool(enabled_plugins(session, tenant_id))
    rows = []
    for sku, orders in by_item.items():
        item = problem.items[sku]
        source = "mrp"
        if plugins_on and item.kind == "buy":
            for answer in call_hook(session, tenant_id, "plan_item", tenant_id=tenant_id, sku=sku,
                                    orders=orders, session=session):
                if answer is not None:
                    source, orders = answer
                    break
        for order in orders:
            rows.append({
                "tenant_id": tenant_id, "id": uuid.uuid4(), "run_id": run_id, "item_id": item.id,
                "kind": item.kind, "quantity": Decimal(str(order["quantity"])),
                "release_period": order["release_period"], "receipt_period": order["receipt_period"],
                "release_date": buckets.start_of(order["release_period"]),
                "due_date": buckets.start_of(order["receipt_period"]),
                "pegging": order["pegging"], "status": "planned", "source": source,
            })
    return rows


def store_results(ctx: JobContext, tenant_id: uuid.UUID, run_id: uuid.UUID, problem: LoadedProblem,
                  buckets: Buckets, output: dict[str, Any]) -> dict[str, int]:
    """Insert planned orders, exceptions and item records in chunks, reporting progress."""
    items = problem.items
    with db.tenant_session(tenant_id) as session:
        orders = _order_rows(session, tenant_id, run_id, problem, buckets, output)
        exceptions = [
            {"tenant_id": tenant_id, "id": uuid.uuid4(), "run_id": run_id, "item_id": items[e["sku"]].id,
             "kind": e["kind"], "period": e.get("period", 1), "message": e["message"],
             "details": {k: v for k, v in e.items() if k not in ("sku", "kind", "period", "message")}}
            for e in output["exceptions"]
        ]
        records = [
            {"tenant_id": tenant_id, "run_id": run_id, "item_id": items[sku].id,
             "low_level_code": rec["low_level_code"],
             "record": {k: v for k, v in rec.items() if k != "low_level_code"}}
            for sku, rec in output["items"].items()
        ]
        batches = [("planned_order", orders), ("plan_exception", exceptions), ("mrp_record", records)]
        total = sum(len(rows) for _, rows in batches) or 1
        done = 0
        for table, rows in batches:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                insert_json_rows(session, table, chunk)
                done += len(chunk)
                ctx.progress(50 + int(49 * done / total))
    return {"items": len(records), "planned_orders": len(orders), "exceptions": len(exceptions)}


def insert_json_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """One INSERT … SELECT over ``jsonb_populate_recordset`` per chunk.

    COPY would be faster still but PostgreSQL refuses COPY FROM on tables with
    row-level security; one statement per chunk keeps the RLS check and costs one
    round trip instead of one per row.
    """
    if not rows:
        return
    columns = ", ".join(rows[0])
    payload = orjson.dumps(rows, default=_exact)
    session.execute(
        text(f"INSERT INTO {table} ({columns}) SELECT {columns} "
             f"FROM jsonb_populate_recordset(NULL::{table}, CAST(:rows AS jsonb))"),
        {"rows": payload.decode()},
    )


def _exact(value: Any) -> Any:
    """JSON for what orjson does not know: decimals as exact numbers (JSON text)."""
    if isinstance(value, Decimal):
        return orjson.Fragment(format(value, "f"))
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


register_job_kind(KIND, run_mrp)
