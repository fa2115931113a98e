"""Benchmark of the stock ledger: moves per second and latency, through the service layer
and through HTTP, then a check that every balance equals the sum of its moves.

``python bench/ledger.py`` starts its own embedded PostgreSQL under ``.plantops/bench``
(a fresh database each run), migrates it and signs up one tenant with ``--items`` items
in two bins, each stocked far beyond what the run takes, and posts ``--history`` moves
of the mix as the ledger's past (then ANALYZE, as autovacuum would). Then:

* service layer: ``--clients`` clients, as threads spread over ``--processes`` processes
  (default one per core; each process has its own connection pool, the way several app
  servers share one database), post ``--moves`` moves in total through
  :func:`core.inventory.posting.post_stock_move`; a mix of receipts (35 %), issues (45 %)
  and transfers (20 %) of 1–5 units of a random item;
* the same with client threads in one process (the GIL shares one core among them);
* HTTP: ``plantops serve --processes N`` on loopback (``--http-processes``, default one per
  core), ``--clients`` threads with httpx clients posting ``--http-moves`` moves to
  ``POST /api/v1/stock-moves``.

Each run prints moves/s and p50/p99 latency; the first also the CPU per move of the client
processes and of PostgreSQL (all its processes, from ``/proc``): on a machine shared with
other work wall-clock figures are noisy, CPU per move says what two cores can post.
At the end every balance row is compared with the sum of the moves at its (item,
location, lot), and every item's valuation quantity with the sum of its inbound and
outbound moves; a difference fails the run.
``--quick`` runs a quarter of the moves.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / ".plantops" / "bench"
os.environ["PLANTOPS_DATA_DIR"] = str(DATA)
os.environ.setdefault("PLANTOPS_SECRET_KEY", "bench-secret-key-that-is-long-enough-for-hs256")
os.environ.pop("DATABASE_URL", None)
BENCH_DB = "plantops_bench"
BINS = ("B1", "B2")


@dataclass(frozen=True)
class Setup:
    app_url: str
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    skus: list[str]


def _forget_dead_handles(path: Path) -> None:
    """pgserver stops the server when its last user exits; a run that was killed stays
    listed as a user for ever, and the server would never stop again."""
    if path.exists():
        alive = [pid for pid in json.loads(path.read_text() or "[]") if _alive(int(pid))]
        path.write_text(json.dumps(alive))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _fresh_database() -> tuple[Any, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.embedded.postgres import start_postgres

    _forget_dead_handles(DATA / "pg" / ".handle_pids.json")
    server, base = start_postgres(DATA / "pg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return server, make_url(base).set(database=BENCH_DB).render_as_string(hide_password=False)


def prepare(items: int) -> tuple[Any, str, Setup]:
    """Embedded PostgreSQL, a migrated fresh database, a tenant with stocked items."""
    from core import db
    from core.catalog.items import create_item
    from core.catalog.locations import create_location
    from core.config import get_settings
    from core.inventory.move_types import MoveRequest
    from core.inventory.posting import post_stock_move
    from core.migrate import migrate
    from core.runtime import app_url_for
    from core.tenancy.signup import signup

    server, owner_url = _fresh_database()
    settings = get_settings()
    migrate(owner_url, settings)
    app_url = app_url_for(owner_url, settings)
    db.configure(app_url)
    who = signup("Bench Co", "Bench plant", f"bench-{uuid.uuid4().hex[:6]}@example.com", "Bench-horse-42")
    wh = create_location(who.tenant_id, {"code": "WH", "name": "WH", "kind": "warehouse"})
    zone = create_location(who.tenant_id, {"code": "Z", "name": "Z", "kind": "zone", "parent_id": wh.id})
    for code in BINS:
        create_location(who.tenant_id, {"code": code, "name": code, "kind": "bin", "parent_id": zone.id})
    skus = [f"BENCH-{n:04d}" for n in range(items)]
    for sku in skus:
        create_item(who.tenant_id, {"sku": sku, "name": sku, "standard_cost": "3"})
        for code in BINS:
            post_stock_move(who.tenant_id, MoveRequest(
                kind="receipt", sku=sku, quantity=Decimal(1_000_000), to_location=code, unit_cost=Decimal(2),
                idempotency_key=f"stock-{sku}-{code}"), who.user_id)
    db.engine().dispose()
    analyze(owner_url)
    return server, owner_url, Setup(app_url, who.tenant_id, who.user_id, skus)


def analyze(owner_url: str) -> None:
    """Give the planner statistics, as autovacuum would in a database that has been running:
    on tables just filled from empty it may pick any index that starts with tenant_id."""
    from sqlalchemy import create_engine, text

    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def server_cpu_seconds(pgdata: Path) -> float:
    """User + system CPU of the postmaster and every server process so far, in seconds
    (Linux only): the live ones from /proc, the ended ones (backends of closed connections)
    through the postmaster's children totals."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    ticks = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(name) == postmaster:
            ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def random_move(rng: random.Random, skus: list[str], key: str) -> dict[str, Any]:
    """One move of the mix as JSON-able fields."""
    sku, roll = rng.choice(skus), rng.random()
    here, there = rng.sample(BINS, 2)
    body: dict[str, Any] = {"sku": sku, "quantity": str(rng.randint(1, 5)), "idempotency_key": key}
    if roll < 0.35:
        body.update(kind="receipt", to_location=here, unit_cost=f"{rng.randint(100, 400) / 100}")
    elif roll < 0.80:
        body.update(kind="issue", from_location=here)
    else:
        body.update(kind="transfer", from_location=here, to_location=there)
    return body


def _post_many(setup: Setup, count: int, seed: int, prefix: str = "svc") -> list[float]:
    from core.inventory.move_types import MoveRequest
    from core.inventory.posting import post_stock_move

    rng = random.Random(seed)
    latencies = []
    for n in range(count):
        body = random_move(rng, setup.skus, f"{prefix}-{seed}-{n}")
        fields: dict[str, Any] = {k: Decimal(v) if k in ("quantity", "unit_cost") else v for k, v in body.items()}
        request = MoveRequest(**fields)
        started = time.perf_counter()
        post_stock_move(setup.tenant_id, request, setup.user_id)
        latencies.append(time.perf_counter() - started)
    return latencies



def _run_clients(clients: int, client: Callable[[int], None]) -> float:
    """Run ``client(n)`` for n in 0..clients-1 on threads at once; the wall time they took."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started

def _process_clients(setup: Setup, count: int, threads: int, seed: int, prefix: str, barrier: Any,
                     results: Any) -> None:
    from core import db
    from core.inventory.plain_posting import paths

    db.configure(setup.app_url, pool_size=threads + 1)
    _post_many(setup, 3, seed + 10_000, prefix)  # warm up: connections, prepared statements
    paths.clear()
    latencies: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        mine = _post_many(setup, count, seed * 100 + n, prefix)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    barrier.wait()
    cpu = time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, time.process_time() - cpu, dict(paths)))


def run_processes(setup: Setup, moves: int, clients: int, processes: int, prefix: str = "svc"
                  ) -> tuple[list[float], float, float, dict[str, int]]:
    """``clients`` clients, as threads spread over ``processes`` processes (one per core
    keeps the GIL from serializing them), post ``moves`` moves; wall time from the common
    start, the CPU time the client processes spent posting, and how many postings went
    which way (``plain``: one call to the database; ``general``)."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(processes + 1), ctx.Queue()
    per_process = clients // processes
    procs = [ctx.Process(target=_process_clients,
                         args=(setup, moves // clients, per_process, n, prefix, barrier, results))
             for n in range(processes)]
    for proc in procs:
        proc.start()
    barrier.wait()
    started = time.perf_counter()
    gathered = [results.get() for _ in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join()
    paths: dict[str, int] = {}
    for _, _, counted in gathered:
        for path, count in counted.items():
            paths[path] = paths.get(path, 0) + count
    return [x for latencies, _, _ in gathered for x in latencies], wall, sum(cpu for _, cpu, _ in gathered), paths


def run_threads(setup: Setup, moves: int, clients: int) -> tuple[list[float], float]:
    """``clients`` threads in this process post ``moves`` moves."""
    from core import db

    db.configure(setup.app_url, pool_size=clients + 2)
    _post_many(setup, 3, 20_000)
    latencies: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        mine = _post_many(setup, moves // clients, 30_000 + n)
        with lock:
            latencies.extend(mine)

    wall = _run_clients(clients, client)
    db.engine().dispose()
    return latencies, wall


def _start_server(setup: Setup, owner_url: str, processes: int) -> tuple[subprocess.Popen[bytes], int]:
    """``plantops serve --processes N`` on the bench database, on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    # No Redis runs here: the URL only has to be set (posting queues no job).
    env = {**os.environ, "DATABASE_URL": owner_url, "APP_DATABASE_URL": setup.app_url,
           "REDIS_URL": "redis://127.0.0.1:1/0", "PLANTOPS_HOST": "127.0.0.1"}
    server = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--no-migrate", "--processes",
                               str(processes), "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:  # /healthz would also ask for Redis
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server, port
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("the bench server did not start")
        time.sleep(0.1)


def run_http(setup: Setup, owner_url: str, moves: int, clients: int, processes: int
             ) -> tuple[list[float], float]:
    """``plantops serve`` with ``processes`` workers; ``clients`` httpx threads post ``moves``."""
    import httpx

    from core.auth.tokens import issue_token
    from core.config import get_settings

    server, port = _start_server(setup, owner_url, processes)
    url = f"http://127.0.0.1:{port}"
    token = issue_token(get_settings().secret_key, setup.user_id, setup.tenant_id, 3600)
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(40_000 + n)
        mine = []
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for i in range(moves // clients):
                body = random_move(rng, setup.skus, f"http-{n}-{i}")
                started = time.perf_counter()
                answer = http.post("/api/v1/stock-moves", json=body)
                mine.append(time.perf_counter() - started)
                if answer.status_code != 201:
                    failures.append(answer.text)
        with lock:
            latencies.extend(mine)

    try:
        wall = _run_clients(clients, client)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failures:
        raise RuntimeError(f"{len(failures)} HTTP posts failed, e.g. {failures[0]}")
    return latencies, wall


def run_history(setup: Setup, owner_url: str, moves: int, clients: int, processes: int) -> None:
    """Post ``moves`` moves of the mix before measuring, then ANALYZE, as autovacuum does in
    a ledger in use. On the few rows of a fresh database the planner prefers sequential
    scans, and the plans a session caches then stay while the tables grow a hundredfold
    within seconds, long before autovacuum's first look; a plant's ledger is never that."""
    if moves <= 0:
        return
    latencies, wall, _, _ = run_processes(setup, moves, clients, processes, prefix="history")
    report("history (not measured)", latencies, wall)
    analyze(owner_url)


def report(label: str, latencies: list[float], wall: float) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"{label:<44} {len(ordered):>6} moves  {len(ordered) / wall:>8.0f} moves/s  "
          f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms", flush=True)


CHECK_BALANCES = """
WITH delta AS (
    SELECT tenant_id, item_id, to_location_id AS location_id, lot_id, quantity AS q
    FROM stock_move WHERE to_location_id IS NOT NULL
    UNION ALL
    SELECT tenant_id, item_id, from_location_id, lot_id, -quantity
    FROM stock_move WHERE from_location_id IS NOT NULL
), summed AS (
    SELECT tenant_id, item_id, location_id, lot_id, sum(q) AS q FROM delta GROUP BY 1, 2, 3, 4
)
SELECT count(*) FILTER (WHERE s.q IS DISTINCT FROM b.quantity), count(*)
FROM summed s FULL JOIN stock_balance b
  ON b.tenant_id = s.tenant_id AND b.item_id = s.item_id AND b.location_id = s.location_id
 AND b.lot_id IS NOT DISTINCT FROM s.lot_id
"""
CHECK_VALUATION = """
SELECT count(*) FILTER (WHERE v.quantity <> coalesce(m.q, 0)), count(*)
FROM item_valuation v LEFT JOIN (
    SELECT tenant_id, item_id,
           sum(CASE WHEN from_location_id IS NULL THEN quantity
                    WHEN to_location_id IS NULL THEN -quantity ELSE 0 END) AS q
    FROM stock_move GROUP BY 1, 2) m ON m.tenant_id = v.tenant_id AND m.item_id = v.item_id
"""


def check(owner_url: str) -> None:
    """Every balance equals the sum of its moves; every valuation quantity too."""
    from sqlalchemy import create_engine, text

    engine = create_engine(owner_url)
    with engine.connect() as conn:
        wrong, rows = conn.execute(text(CHECK_BALANCES)).one()
        wrong_value, items = conn.execute(text(CHECK_VALUATION)).one()
        moves = conn.execute(text("SELECT count(*) FROM stock_move")).scalar_one()
    engine.dispose()
    print(f"check: {moves} moves, {rows} balances, {wrong} differ from their moves; "
          f"{items} item valuations, {wrong_value} differ", flush=True)
    if wrong or wrong_value:
        raise SystemExit("balances do not match the ledger")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--moves", type=int, default=8000, help="moves through the service layer")
    parser.add_argument("--http-moves", type=int, default=2000, help="moves through HTTP")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--items", type=int, default=64)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2,
                        help="client processes for the service-layer run (default: one per core)")
    parser.add_argument("--http-processes", type=int, default=os.cpu_count() or 2,
                        help="web server processes for the HTTP run (default: one per core)")
    parser.add_argument("--history", type=int, default=4000,
                        help="moves posted (and analysed) before the measured runs: a ledger in use")
    parser.add_argument("--quick", action="store_true", help="a quarter of the moves")
    args, _ = parser.parse_known_args()
    if args.quick:
        args.moves, args.http_moves = args.moves // 4, args.http_moves // 4
    DATA.mkdir(parents=True, exist_ok=True)
    server, owner_url, setup = prepare(args.items)
    try:
        k = args.clients
        p = max(1, min(args.processes, k))
        run_history(setup, owner_url, args.history, k, p)
        server_cpu = server_cpu_seconds(DATA / "pg")
        latencies, wall, client_cpu, paths = run_processes(setup, args.moves, k, p)
        server_cpu = server_cpu_seconds(DATA / "pg") - server_cpu  # includes the clients' warm-up
        report(f"service layer, {k} clients in {p} processes", latencies, wall)
        print(f"{'  CPU per move':<44} client {1000 * client_cpu / len(latencies):.3f} ms  "
              f"PostgreSQL {1000 * server_cpu / len(latencies):.3f} ms", flush=True)
        print(f"{'  postings by way':<44} " + ", ".join(f"{way} {n}" for way, n in sorted(paths.items())),
              flush=True)
        report(f"service layer, {k} client threads", *run_threads(setup, args.moves // 2, k))
        h = args.http_processes
        if args.http_moves > 0:
            report(f"HTTP (plantops serve, {h} processes), {k} clients",
                   *run_http(setup, owner_url, args.http_moves, k, h))
        check(owner_url)
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
