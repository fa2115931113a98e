"""The MRP engine: gross-to-net by low-level code, vectorised across items.

For each low-level code, parents first, the items of that code are planned
together (:mod:`core.planning.level_plan`): most in the cumulative form of
:mod:`core.planning.netting`, NumPy operations across the items and, for
POQ, a short loop over the periods; the rest through the period loop of
:mod:`core.planning.netting_loop` or, for the cost-based lot-sizing rules,
the per-item planner of :mod:`core.planning.item_record`. Their planned
order releases are then
exploded into their components' gross requirements: the first few parents
of each component one "slot" at a time (the k-th edge of every component,
added through an index in which no component repeats), the later parents of
components with many by one sparse aggregation (``np.add.reduceat``).

Choices where plan-bundle.md is silent:

* Firm planned receipts are supply that the planner owns: they appear in
  ``planned_order_receipts`` (as in the textbook record, where firm planned
  orders sit in the planned-order rows), their releases are offset by the
  lead time, appear in ``planned_order_releases`` and are exploded into the
  components like any planned order. They are not repeated in
  ``planned_orders``, which lists only the orders the engine proposes.
* A firm planned receipt whose release falls before period 1 is past due
  like a planned order.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.cells import Cells, joined, nonzero_cells
from core.planning.errors import BundleError
from core.planning.level_plan import FixedSupply, RecordMatrices, fixed_supply, plan_level
from core.planning.mps import mps_gross_requirements
from core.planning.orders import output_rank
from core.planning.rows import add_rows, rows_of, take_rows

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Records:
    """The MRP records of all items, (items, periods) matrices of scaled integers.

    ``independent`` is the gross requirement from the item's own demand (or
    MPS), ``planned`` the receipts of new planned orders, ``receipts`` those
    plus firm planned receipts, ``releases`` the receipts offset by lead time.
    ``fixed_supply`` lists the nonzero scheduled and firm planned receipts, and
    ``release_cells`` and ``demand_cells`` the nonzero cells of ``releases`` and
    ``independent`` (found once, for every step that needs them).
    """

    gross: I64
    independent: I64
    net: I64
    on_hand: I64
    planned: I64
    receipts: I64
    releases: I64
    fixed_supply: FixedSupply
    release_cells: Cells
    demand_cells: Cells


def plan_records(bundle: Bundle) -> Records:
    """Gross-to-net every item, parents before components."""
    return plan_levels(bundle, lambda: output_rank(bundle))[0]


def plan_levels(bundle: Bundle, ranking: Callable[[], I64]) -> tuple[Records, Cells]:
    """Gross-to-net every item, a low-level code at a time, parents first.

    ``ranking`` gives the items' output rank (:func:`core.planning.orders.output_rank`);
    it is asked for only once the matrices are set up, so that it can be computed
    meanwhile. Each level's items are taken in output order: a bundle listed in that
    order plans each level through views of the records (see
    :mod:`core.planning.level_plan`), and the planned receipts come out in output
    order, ready to list as orders.
    """
    # The edges are sorted by level on a second thread while the matrices are set up.
    with ThreadPoolExecutor(LEVEL_THREADS) as pool:
        edging = pool.submit(_edges_by_level, bundle)
        # Records share the bundle's matrices where they are equal (nothing writes to
        # either): each full (items, periods) matrix not made is tens of megabytes.
        independent = bundle.demand
        if bundle.mps.rows.size:
            independent = bundle.demand.copy()
            independent[bundle.mps.rows] = mps_gross_requirements(bundle.mps, bundle.periods)
        # Not zeroed: every row is written by its level.
        mats = RecordMatrices(independent.copy(),
                              *(np.empty(independent.shape, dtype=np.int64) for _ in range(4)))
        firm = bundle.firm_planned_receipts
        has_firm = bool(firm.any())  # most bundles have none: no zeros to add level by level
        rank = ranking()
        supply = fixed_supply(bundle, has_firm, rank)
        cells = _plan_each_level(pool, bundle, mats, independent, rank, supply, has_firm,
                                 edging.result())
        # Each list joined on its own thread.
        planned_cells, release_cells, demand_cells = pool.map(
            lambda k: joined([part[k] for part in cells]), range(3))
    receipts = mats.planned + firm if has_firm else mats.planned
    records = Records(mats.gross, independent, mats.net, mats.on_hand, mats.planned, receipts,
                      mats.releases, supply, release_cells, demand_cells)
    return records, planned_cells


def _plan_each_level(pool: ThreadPoolExecutor, bundle: Bundle, mats: RecordMatrices,
                     independent: I64, rank: I64, supply: FixedSupply, has_firm: bool,
                     edges: list[_LevelEdges]) -> list[tuple[Cells, Cells, Cells]]:
    """Plan the levels in turn; returns each part's planned, release and demand cells,
    in output order."""
    by_rank = np.empty_like(rank)
    by_rank[rank] = np.arange(rank.size)
    codes = bundle.low_level_code
    level_starts = np.searchsorted(codes[by_rank], np.arange(int(codes.max(initial=-1)) + 2))
    cells: list[tuple[Cells, Cells, Cells]] = []
    is_parent = np.zeros(rank.size, dtype=np.bool_)
    is_parent[bundle.bom.parent] = True
    largest: list[int] = []  # each part's largest release of a parent

    def plan_part(first: int, end: int) -> tuple[Cells, Cells, Cells]:
        rows = by_rank[first:end]
        at = plan_level(bundle, mats, rows, supply.of_ranks(first, end), has_firm)
        releases = rows_of(mats.releases, at)
        # For the size check, while the level's releases are at hand.
        largest.append(int(releases.max(axis=1, initial=0)[is_parent[rows]].max(initial=0)))
        return (nonzero_cells(rows_of(mats.planned, at), rows), nonzero_cells(releases, rows),
                nonzero_cells(rows_of(independent, at), rows))

    # A level's items are independent, and so are the components' rows its releases add
    # to: each level is planned, then exploded, in parts on the pool's threads (NumPy
    # releases the GIL in the array work that is nearly all of it).
    for level in range(level_starts.size - 1):
        parts = _parts(int(level_starts[level]), int(level_starts[level + 1]))
        largest.clear()
        cells.extend(pool.map(lambda part: plan_part(*part), parts))
        if level < len(edges) and edges[level].edges.size:
            _check_size(bundle, max(largest), edges[level])
            for _ in pool.map(lambda kids: _explode(bundle, mats.gross, mats.releases, kids),
                              edges[level].parts):
                pass
    return cells


def _parts(first: int, end: int) -> list[tuple[int, int]]:
    """Ranks ``first`` to ``end`` cut into one part per thread, if big enough to pay."""
    count = min(LEVEL_THREADS, max(1, (end - first) // PART_MIN))
    cuts = [first + (end - first) * k // count for k in range(count + 1)]
    return list(itertools.pairwise(cuts))


EDGE_SLOTS = 4  # a component's first parents that are exploded without a reduction
LEVEL_THREADS = min(2, os.cpu_count() or 1)  # parts of a level planned (and exploded) at once
PART_MIN = 4096  # fewest items (edges) in a part: smaller levels are not cut


@dataclass(frozen=True)
class _KidEdges:
    """BOM edges sorted by component: ``slots[k]`` holds the k-th edge of every component
    that has more than k (k below ``EDGE_SLOTS``); ``rest`` the later edges of components
    with more, by component."""

    slots: list[I64]
    rest: I64


@dataclass(frozen=True)
class _LevelEdges:
    """The BOM edges whose parents are on one level, sorted by component, and cut into
    ``parts`` that share no component (exploded side by side)."""

    edges: I64
    parts: list[_KidEdges]


def _edges_by_level(bundle: Bundle) -> list[_LevelEdges]:
    """The edges of each level, parents' level 0 first."""
    bom = bundle.bom
    level = bundle.low_level_code[bom.parent]
    # By level, then component (a stable sort of one key: faster than np.lexsort).
    order = np.argsort(level * bundle.low_level_code.size + bom.component, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    return [_level_edges(bom.component, order[bounds[k] : bounds[k + 1]])
            for k in range(bounds.size - 1)]


def _level_edges(component: I64, edges: I64) -> _LevelEdges:
    kids = component[edges]
    # Cut where a component starts, so that no component is in two parts.
    cuts = np.searchsorted(kids, [kids[at] for at, _ in _parts(0, edges.size)[1:]])
    return _LevelEdges(edges, [_kid_edges(component, part) for part in np.split(edges, cuts)])


def _kid_edges(component: I64, edges: I64) -> _KidEdges:
    kids = component[edges]
    opens = np.r_[True, kids[1:] != kids[:-1]]
    slot = np.arange(edges.size) - np.flatnonzero(opens)[np.cumsum(opens) - 1]
    slots = min(EDGE_SLOTS, int(slot.max(initial=-1)) + 1)
    return _KidEdges([edges[slot == k] for k in range(slots)], edges[slot >= EDGE_SLOTS])


def _explode(bundle: Bundle, gross: I64, releases: I64, level: _KidEdges) -> None:
    """Add the parents' releases × usage factor to their components' gross requirements."""
    kid = bundle.bom.component
    # No component is twice in a slot, so adding through the index adds every edge of it:
    # no (edges, periods) temporary to reduce, for the components' first parents.
    for edges in level.slots:
        add_rows(gross, kid[edges], requirement(bundle, releases, edges))
    if level.rest.size:  # components with many parents: one sparse aggregation
        kids = kid[level.rest]
        starts = np.flatnonzero(np.r_[True, kids[1:] != kids[:-1]])
        add_rows(gross, kids[starts],
                  np.add.reduceat(requirement(bundle, releases, level.rest), starts, axis=0))


def _check_size(bundle: Bundle, largest: int, level: _LevelEdges) -> None:
    """Refuse a level whose largest release (of a parent) × largest factor leaves exact
    64-bit integers."""
    bom = bundle.bom
    factor = bom.factor[level.edges]
    biggest = float(largest) * float(factor.max(initial=0))
    if biggest >= 2.0**62:
        worst = int(level.edges[np.argmax(factor)])
        raise BundleError(bundle.skus[int(bom.component[worst])], "gross_requirements",
                          biggest / 10.0 ** (bom.places + bundle.scale), "is too large to plan")


def requirement(bundle: Bundle, releases: I64, edges: I64) -> I64:
    """Each edge's requirement per period: parent release × factor, rounded up if inexact."""
    bom = bundle.bom
    product = take_rows(releases, bom.parent[edges])
    product *= bom.factor[edges][:, None]
    return usage(product, bom.places)


def usage(product: I64, places: int) -> I64:
    """Release × factor (the factor scaled by ``10**places``) as a quantity, rounded up."""
    return -(-product // 10**places) if places else product
