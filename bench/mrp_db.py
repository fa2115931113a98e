"""End-to-end MRP benchmark from the database: items, BOMs and demand in PostgreSQL →
an MRP run through the job queue → results persisted; prints the time of each phase.

Target (issue "Planning"): 10,000 items and 2,000 demand lines in ≤ 15 s.
Usage: python bench/mrp_db.py [--items 10000] [--lines 2000] [--levels 6] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLANTOPS_DATA_DIR", str(ROOT / ".plantops" / "bench"))
os.environ.setdefault("PLANTOPS_SECRET_KEY", "bench-secret-key-that-is-long-enough-for-hs256")


Rows = list[dict[str, Any]]


def generate(tenant_id: uuid.UUID, plant_id: uuid.UUID, items: int, lines: int, levels: int,
             seed: int) -> tuple[Rows, Rows, Rows, Rows]:
    """Items spread over ``levels`` levels, each parent with about 3 components one level down."""
    rng = random.Random(seed)
    per_level = [items // levels + (1 if k < items % levels else 0) for k in range(levels)]
    item_rows, by_level = [], []
    rules = [{"rule": "lot_for_lot"}, {"rule": "fixed", "quantity": 50}, {"rule": "poq", "periods": 2}]
    for level, count in enumerate(per_level):
        ids = []
        for n in range(count):
            item_id = uuid.uuid4()
            ids.append(item_id)
            item_rows.append({
                "tenant_id": tenant_id, "id": item_id, "sku": f"L{level}-{n:06d}", "name": f"Item {level}/{n}",
                "uom": "EA", "kind": "make" if level < levels - 1 else "buy", "lead_time_days": rng.choice([0, 5, 10]),
                "safety_stock": Decimal(rng.choice([0, 0, 10])), "lot_sizing": rng.choice(rules), "tracking": "none",
                "standard_cost": Decimal(1), "allow_negative_stock": False})
        by_level.append(ids)
    bom = []
    for level in range(levels - 1):
        below = by_level[level + 1]
        for parent in by_level[level]:
            for component in rng.sample(below, min(3, len(below))):
                bom.append({"tenant_id": tenant_id, "id": uuid.uuid4(), "parent_id": parent,
                            "component_id": component, "quantity": Decimal(rng.choice([1, 2, 4])),
                            "scrap_pct": Decimal(0)})
    orders, order_lines = [], []
    monday = date.today() - timedelta(days=date.today().weekday())
    for n in range(lines):
        order_id = uuid.uuid4()
        orders.append({"tenant_id": tenant_id, "id": order_id, "plant_id": plant_id, "number": f"SO-{n:06d}",
                       "customer": "Bench"})
        order_lines.append({"tenant_id": tenant_id, "id": uuid.uuid4(), "order_id": order_id, "line_no": 1,
                            "item_id": rng.choice(by_level[0]), "quantity": Decimal(rng.randint(1, 40)),
                            "due_date": monday + timedelta(days=rng.randint(0, 7 * 26))})
    return item_rows, bom, orders, order_lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=2_000)
    parser.add_argument("--levels", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1,000 items and 200 lines")
    args = parser.parse_args()
    if args.quick:
        args.items, args.lines = 1_000, 200

    from sqlalchemy import create_engine, insert, text
    from sqlalchemy.engine import make_url

    from core import db, jobs
    from core.bootstrap import load_job_kinds
    from core.catalog.models import BomLine, Item
    from core.config import get_settings
    from core.embedded.postgres import start_postgres
    from core.embedded.redis import start_redis
    from core.job_records import get_job
    from core.migrate import migrate
    from core.planning.models import SalesOrder, SalesOrderLine
    from core.planning.mrp_results import get_run
    from core.planning.mrp_run import start_mrp_run
    from core.runtime import app_url_for
    from core.tenancy.signup import signup

    settings = get_settings()
    server, base = start_postgres(settings.data_dir / "pg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS plantops_bench WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE plantops_bench"))
    owner = make_url(base).set(database="plantops_bench").render_as_string(hide_password=False)
    migrate(owner, settings)
    db.configure(app_url_for(owner, settings))
    redis_proc, redis_url = start_redis(Path(tempfile.mkdtemp()) / "redis")
    broker = jobs.setup_broker(redis_url)
    load_job_kinds()
    worker = jobs.start_worker(broker, threads=1)
    try:
        ids = signup("Bench Co", "Bench plant", "planner@example.com", "Quick-brown-fox-9")
        clock = time.perf_counter()
        item_rows, bom, orders, lines = generate(ids.tenant_id, ids.plant_id, args.items, args.lines,
                                                 args.levels, args.seed)
        with db.tenant_session(ids.tenant_id) as session:
            for model, rows in ((Item, item_rows), (BomLine, bom), (SalesOrder, orders), (SalesOrderLine, lines)):
                for start in range(0, len(rows), 5000):
                    session.execute(insert(model), rows[start:start + 5000])
        print(f"seeded {len(item_rows)} items, {len(bom)} BOM lines, {len(lines)} demand lines "
              f"in {time.perf_counter() - clock:.1f} s", flush=True)
        clock = time.perf_counter()
        run_id, job_id = start_mrp_run(ids.tenant_id, ids.plant_id, ids.user_id)
        last = -1
        while True:
            with db.tenant_session(ids.tenant_id) as session:
                job = get_job(session, ids.tenant_id, job_id)
                assert job is not None
                status, progress, error = job.status, job.progress, job.error
            if progress != last:
                print(f"  progress {progress:3d}%  ({time.perf_counter() - clock:5.1f} s)", flush=True)
                last = progress
            if status in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        total = time.perf_counter() - clock
        if status == "failed":
            print(f"run failed: {error}")
            return 1
        run = get_run(ids.tenant_id, run_id)
        t = run.timings
        print(f"MRP run from the database: {run.counts['items']} items, {run.counts['planned_orders']} planned "
              f"orders, {run.counts['exceptions']} exceptions")
        print(f"  load {t['load_s']:.2f} s · plan {t['plan_s']:.2f} s · store {t['store_s']:.2f} s · "
              f"end to end (queue → persisted) {total:.2f} s  [target ≤ 15 s: {'met' if total <= 15 else 'MISSED'}]")
        return 0
    finally:
        worker.stop()
        redis_proc.terminate()
        db.engine().dispose()
        admin.dispose()
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
