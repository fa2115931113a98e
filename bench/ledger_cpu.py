"""CPU per posted move, split between the Python client and the PostgreSQL server.

On a shared machine wall-clock throughput is noisy; CPU per move is what decides how
many moves two cores can post. One client posts ``--moves`` moves of the bench mix
(:func:`bench.ledger.random_move`) through :func:`core.inventory.posting.post_stock_move`
against the bench database (prepared as ``bench/ledger.py`` does), and this prints:

* Python: the CPU time of this process per move (``time.process_time``);
* PostgreSQL: the user + system CPU of every server process (postmaster, backends,
  WAL writer, checkpointer…) per move (:func:`ledger.server_cpu_seconds`).

``--profile`` adds a cProfile of the Python side, timed in CPU time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import time
from decimal import Decimal
from typing import Any

import ledger  # bench/ledger.py, beside this file: sets the environment before core is imported


def requests(setup: ledger.Setup, prefix: str, count: int, seed: int) -> list[Any]:
    """``count`` move requests of the bench mix."""
    from core.inventory.move_types import MoveRequest

    rng = random.Random(seed)
    made = []
    for n in range(count):
        body = ledger.random_move(rng, setup.skus, f"{prefix}-{n}")
        fields: dict[str, Any] = {k: Decimal(v) if k in ("quantity", "unit_cost") else v for k, v in body.items()}
        made.append(MoveRequest(**fields))
    return made


def measure(setup: ledger.Setup, moves: int, profile: bool) -> None:
    """Post ``moves`` moves from one client; print the CPU per move on each side."""
    from core import db
    from core.inventory.posting import post_stock_move

    db.configure(setup.app_url, pool_size=2)
    for request in requests(setup, "warm", 100, 1):  # connections, prepared statements
        post_stock_move(setup.tenant_id, request, setup.user_id)
    todo = requests(setup, "run", moves, 2)
    pgdata = ledger.DATA / "pg"
    profiler = cProfile.Profile(time.process_time) if profile else None
    server, python, wall = ledger.server_cpu_seconds(pgdata), time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for request in todo:
        post_stock_move(setup.tenant_id, request, setup.user_id)
    if profiler:
        profiler.disable()
    server = ledger.server_cpu_seconds(pgdata) - server
    python, wall = time.process_time() - python, time.perf_counter() - wall
    print(f"{moves} moves, one client: Python {1000 * python / moves:.3f} ms/move, "
          f"PostgreSQL {1000 * server / moves:.3f} ms/move, wall {1000 * wall / moves:.3f} ms/move", flush=True)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    db.engine().dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--moves", type=int, default=3000)
    parser.add_argument("--items", type=int, default=64)
    parser.add_argument("--profile", action="store_true", help="cProfile the Python side (CPU time)")
    args = parser.parse_args()
    ledger.DATA.mkdir(parents=True, exist_ok=True)
    handle, _, setup = ledger.prepare(args.items)
    try:
        measure(setup, args.moves, args.profile)
    finally:
        handle.cleanup()


if __name__ == "__main__":
    main()
