"""Benchmark of the MRP engine and of ``plantops plan`` on synthetic bundles.

``python bench/mrp.py`` plans 1k, 10k and 100k items (``--quick``: 1k and 10k;
``--items 100000``: only that size), each in a fresh subprocess so that peak
memory (``ru_maxrss``) is its own:

* engine: ``plan()`` on a parsed bundle (MRP records, planned orders,
  exceptions, ATP), timed alone, then its pegging (computed on first use),
  timed apart, and the two together (``eng+peg``, wall clock: the engine
  uses a second core where it has one); the peak traced memory
  (tracemalloc) is that of a second run of both;
* command: the whole ``plan_command`` (read JSON, validate, plan, peg,
  write JSON to /dev/null).

The output grows with the planned orders and pegs (printed, with the size of
the JSON written), not only with the items.

The generator is seeded: items spread over ``levels`` low-level codes, each
parent with about ``components`` components on the next level down, demand on
end items (and some service-part demand below), a mix of lot-for-lot, fixed
and POQ lot sizing, a few scheduled receipts and safety stocks. Two demand
profiles, both within the issue's parameters (100k items, 8 levels, about 3
components per parent, 52 weekly buckets, a mix of the three rules):

* ``--dense`` (the original profile): every end item has demand in half of
  the weeks, and the rules are a third each. Lot-for-lot then passes every
  parent release straight down, so a lot-for-lot component with three
  parents orders in nearly every week: about 20 planned orders and 60 pegs
  per item, 685 MB of JSON at 100k items.
* typical (the default): end-item demand is weekly-lumpy, in a quarter of
  the weeks (about one order a month per end item, as customer orders for
  a finished good arrive), service-part demand on 2% of the components
  (spares are a small share of parts), and lot-for-lot on a fifth of the
  items: in practice it is kept for the expensive assemblies, while cheap
  components are bought in fixed lots or periods of supply (POQ), which is
  what those rules are for. Each rule still appears at every level.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.planning.batch_memory import tune_for_one_big_plan  # noqa: E402
from core.planning.bundle import parse_bundle  # noqa: E402
from core.planning.cli import plan_command  # noqa: E402
from core.planning.planner import plan  # noqa: E402


@dataclass(frozen=True)
class Profile:
    """How often end items and service parts have demand, and the share of each rule."""

    end_item_weeks: float  # share of weeks with demand on an end item
    service_parts: float  # share of components with independent demand
    rules: tuple[float, float, float] | None  # lot-for-lot, fixed, POQ (None: a third each)


DENSE = Profile(0.5, 0.05, None)
TYPICAL = Profile(0.25, 0.02, (0.2, 0.4, 0.4))


def generate_bundle(
    items: int, levels: int = 8, components: int = 3, periods: int = 52, seed: int = 1,
    profile: Profile = TYPICAL,
) -> dict[str, Any]:
    """A synthetic bundle: ``items`` spread over ``levels`` BOM levels."""
    rng = np.random.default_rng(seed)
    bounds = np.linspace(0, items, levels + 1).astype(int)
    skus = [f"P{i:07d}" for i in range(items)]
    parent, child, qty = _bom(rng, bounds, components)
    usage = _weekly_usage(bounds, parent, child, qty, profile.end_item_weeks)
    rules = rng.choice(3, size=items, p=profile.rules)
    return {
        "periods": periods,
        "items": [_item(rng, skus[i], int(rules[i]), bool(i < bounds[1]), float(usage[i]),
                        periods, profile) for i in range(items)],
        "bom": [{"parent": skus[p], "component": skus[c], "qty": q}
                for p, c, q in zip(parent.tolist(), child.tolist(), qty.tolist(), strict=True)],
    }


def _bom(rng: np.random.Generator, bounds: Any, components: int) -> tuple[Any, Any, Any]:
    """Edges from each level to the next: every component gets at least one parent."""
    pairs: set[tuple[int, int]] = set()
    for level in range(len(bounds) - 2):
        parents = np.arange(bounds[level], bounds[level + 1])
        kids = np.arange(bounds[level + 1], bounds[level + 2])
        pairs |= set(zip(rng.choice(parents, kids.size).tolist(), kids.tolist(), strict=True))
        extra = max(0, components * parents.size - kids.size)
        pairs |= set(zip(rng.choice(parents, extra).tolist(), rng.choice(kids, extra).tolist(),
                         strict=True))
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1], rng.integers(1, 4, edges.shape[0])


def _weekly_usage(bounds: Any, parent: Any, child: Any, qty: Any, weeks: float) -> Any:
    """Expected gross requirement per week, to size fixed lots like a planner would."""
    usage = np.zeros(int(bounds[-1]))
    usage[: bounds[1]] = weeks * 55
    for level in range(len(bounds) - 2):
        edges = (parent >= bounds[level]) & (parent < bounds[level + 1])
        usage += np.bincount(child[edges], weights=usage[parent[edges]] * qty[edges],
                             minlength=usage.size)
    return usage


def _item(rng: np.random.Generator, sku: str, rule: int, end_item: bool, usage: float,
          periods: int, profile: Profile) -> Any:
    item: dict[str, Any] = {"sku": sku, "on_hand": int(rng.integers(0, 200)),
                            "lead_time": int(rng.integers(0, 4))}
    if end_item or rng.random() < profile.service_parts:
        share = profile.end_item_weeks if end_item else DENSE.end_item_weeks
        weeks = np.flatnonzero(rng.random(periods) < share) + 1
        item["demand"] = {str(w): int(rng.integers(10, 100)) for w in weeks.tolist()}
    if rng.random() < 0.1:
        item["safety_stock"] = int(rng.integers(5, 50))
    if rng.random() < 0.05:
        item["scheduled_receipts"] = {str(int(rng.integers(1, periods + 1))): 100}
    if rule == 1:  # a fixed lot of two to six weeks of usage
        item["lot_sizing"] = {"rule": "fixed",
                              "quantity": max(1, int(usage * rng.uniform(2, 6)))}
    elif rule == 2:
        item["lot_sizing"] = {"rule": "poq", "periods": int(rng.integers(2, 7))}
    return item


def _child(mode: str, path: str) -> dict[str, float]:
    """Run one measurement in this (fresh) process."""
    found: dict[str, float] = {}
    if mode == "command":
        sink = _Sink()
        began, cpu = time.perf_counter(), time.process_time()
        status = plan_command(path, sink, sys.stderr)  # type: ignore[arg-type]
        found["seconds"] = time.perf_counter() - began
        found["cpu"] = time.process_time() - cpu
        found["json"] = sink.buffer.size
        assert status == 0
    else:
        tune_for_one_big_plan()  # the engine as `plantops plan` runs it (see batch_memory)
        with open(path, "rb") as handle:
            bundle = parse_bundle(orjson.loads(handle.read()))
        began, cpu = time.perf_counter(), time.process_time()
        result = plan(bundle)
        found["seconds"] = time.perf_counter() - began
        found["cpu"] = time.process_time() - cpu
        began, cpu = time.perf_counter(), time.process_time()
        found["pegs"] = result.pegging.quantity.size
        found["pegging"] = time.perf_counter() - began
        found["pegging_cpu"] = time.process_time() - cpu
        found["orders"] = result.orders.item.size
        del result
        tracemalloc.start()
        _ = plan(bundle).pegging
        found["traced"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    found["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return found


class _Counter:
    """A binary stream that only counts what is written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


class _Sink:
    """A text stream whose binary buffer counts bytes (plan_command writes there)."""

    def __init__(self) -> None:
        self.buffer = _Counter()

    def flush(self) -> None:
        pass


def _measure(mode: str, path: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, path],
                          capture_output=True, text=True, check=True)
    return orjson.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate, plan and report items/s and peak memory for each size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 1k and 10k items")
    parser.add_argument("--items", type=int, nargs="+", metavar="N",
                        help="plan only these sizes (e.g. --items 100000)")
    parser.add_argument("--levels", type=int, default=8)
    parser.add_argument("--components", type=int, default=3, help="components per parent")
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dense", action="store_true",
                        help="the original dense demand profile (see the module docstring)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(orjson.dumps(_child(*args.child)).decode())
        return
    sizes = args.items or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    mib = 2**20
    profile = DENSE if args.dense else TYPICAL
    print(f"profile: {'dense' if args.dense else 'typical'}; engine = plan() (records, orders,"
          " exceptions, ATP); pegging timed apart; command = plan_command, JSON counted and"
          " dropped; seconds = wall clock, cpu = process CPU time (steadier on a shared"
          " machine); RSS = subprocess peak")
    print(f"{'items':>7} {'what':>8} {'seconds':>8} {'cpu':>6} {'items/s':>8} {'pegging':>8} "
          f"{'cpu':>6} {'eng+peg':>8} {'orders':>8} {'pegs':>8} {'peak RSS':>9} {'traced':>8} "
          f"{'JSON':>8}")
    for items in sizes:
        with tempfile.NamedTemporaryFile(suffix=".json") as handle:
            handle.write(orjson.dumps(generate_bundle(items, args.levels, args.components,
                                                      args.periods, args.seed, profile)))
            handle.flush()
            for mode in ("engine", "command"):
                m = _measure(mode, handle.name)
                extra = (f"{m['pegging']:8.3f} {m['pegging_cpu']:6.3f} "
                         f"{m['seconds'] + m['pegging']:8.3f} {m['orders']:8.0f} {m['pegs']:8.0f}"
                         if mode == "engine" else f"{'':8} {'':6} {'':8} {'':8} {'':8}")
                traced = f"{m['traced'] / mib:6.0f}Mi" if "traced" in m else f"{'':8}"
                size = f"{m['json'] / 1e6:6.0f}MB" if "json" in m else ""
                print(f"{items:>7} {mode:>8} {m['seconds']:8.3f} {m['cpu']:6.3f} "
                      f"{items / m['seconds']:8.0f} "
                      f"{extra} {m['rss'] / mib:7.0f}Mi {traced} {size}", flush=True)


if __name__ == "__main__":
    main()
