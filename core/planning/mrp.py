"""The MRP engine: gross-to-net by low-level code, vectorised across items.

For each low-level code, parents first, the items of that code are planned
together: one loop over the periods, NumPy operations across the items (the
cost-based lot-sizing rules go through the per-item planner of
:mod:`core.planning.item_record`). Their planned order releases are then
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

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.errors import BundleError
from core.planning.item_record import plan_item
from core.planning.lot_sizing import (
    COST_RULES,
    EOQ,
    FIXED,
    POQ,
    Modifiers,
    apply_modifiers,
    fixed_lots,
    poq_lots,
)
from core.planning.mps import mps_gross_requirements

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Records:
    """The MRP records of all items, (items, periods) matrices of scaled integers.

    ``independent`` is the gross requirement from the item's own demand (or
    MPS), ``planned`` the receipts of new planned orders, ``receipts`` those
    plus firm planned receipts, ``releases`` the receipts offset by lead time.
    """

    gross: I64
    independent: I64
    net: I64
    on_hand: I64
    planned: I64
    receipts: I64
    releases: I64


def plan_records(bundle: Bundle) -> Records:
    """Gross-to-net every item, parents before components."""
    # Records share the bundle's matrices where they are equal (nothing writes to either):
    # each full (items, periods) matrix not made is tens of megabytes not allocated.
    independent = bundle.demand
    if bundle.mps.rows.size:
        independent = bundle.demand.copy()
        independent[bundle.mps.rows] = mps_gross_requirements(bundle.mps, bundle.periods)
    gross = independent.copy()
    shape = gross.shape
    net, on_hand, planned, releases = (np.zeros(shape, dtype=np.int64) for _ in range(4))
    by_level = np.argsort(bundle.low_level_code, kind="stable")
    level_starts = np.searchsorted(bundle.low_level_code[by_level],
                                   np.arange(int(bundle.low_level_code.max(initial=-1)) + 2))
    edges = _edges_by_level(bundle)
    is_cost = np.isin(bundle.lots.rule, list(COST_RULES))
    firm = bundle.firm_planned_receipts
    has_firm = bool(firm.any())  # most bundles have none: no need to add zeros level by level
    for level in range(level_starts.size - 1):
        rows = by_level[level_starts[level] : level_starts[level + 1]]
        vector = rows[~is_cost[rows]]
        if vector.size:
            net[vector], planned[vector], on_hand[vector] = _plan_vector(bundle, gross, vector,
                                                                         has_firm)
        for row in rows[is_cost[rows]].tolist():
            _plan_one(bundle, gross, row, net, planned, on_hand)
        receipts = planned[rows] + firm[rows] if has_firm else planned[rows]
        _offset(releases, rows, receipts, bundle.lead_time[rows])
        if level < len(edges):
            _explode(bundle, gross, releases, edges[level])
    receipts = planned + firm if has_firm else planned
    return Records(gross, independent, net, on_hand, planned, receipts, releases)


EDGE_SLOTS = 4  # a component's first parents that are exploded without a reduction


@dataclass(frozen=True)
class _LevelEdges:
    """The BOM edges whose parents are on one level, sorted by component.

    ``slots[k]`` holds the k-th edge of every component that has more than k (k below
    ``EDGE_SLOTS``); ``rest`` the later edges of components with more, by component.
    """

    edges: I64
    parents: I64  # distinct
    slots: list[I64]
    rest: I64


def _edges_by_level(bundle: Bundle) -> list[_LevelEdges]:
    """The edges of each level, parents' level 0 first."""
    bom = bundle.bom
    level = bundle.low_level_code[bom.parent]
    order = np.lexsort((bom.component, level))
    bounds = np.searchsorted(level[order], np.arange(int(level.max(initial=-1)) + 2))
    return [_level_edges(bom.parent, bom.component, order[bounds[k] : bounds[k + 1]])
            for k in range(bounds.size - 1)]


def _level_edges(parent: I64, component: I64, edges: I64) -> _LevelEdges:
    kids = component[edges]
    opens = np.r_[True, kids[1:] != kids[:-1]]
    slot = np.arange(edges.size) - np.flatnonzero(opens)[np.cumsum(opens) - 1]
    slots = min(EDGE_SLOTS, int(slot.max(initial=-1)) + 1)
    is_parent = np.zeros(parent.size and int(parent.max()) + 1, dtype=np.bool_)
    is_parent[parent[edges]] = True
    return _LevelEdges(edges, np.flatnonzero(is_parent), [edges[slot == k] for k in range(slots)],
                       edges[slot >= EDGE_SLOTS])


def _plan_vector(bundle: Bundle, gross: I64, rows: I64, has_firm: bool
                 ) -> tuple[I64, I64, I64]:
    """Net requirements, planned receipts and on hand of items with simple rules."""
    lots = bundle.lots
    need_by_t = gross[rows].T.copy()  # period-major: each period is one contiguous row
    supply = bundle.scheduled_receipts[rows]
    if has_firm:
        supply += bundle.firm_planned_receipts[rows]
    supply_by_t = supply.T.copy()
    safety = bundle.safety_stock[rows]
    rule, quantity = lots.rule[rows], lots.quantity[rows]
    mods = Modifiers(lots.minimum[rows], lots.maximum[rows], lots.multiple[rows])
    fixed = np.flatnonzero((rule == FIXED) | (rule == EOQ))
    poq = np.flatnonzero(rule == POQ)
    cum_poq = np.cumsum(need_by_t[:, poq] - supply_by_t[:, poq], axis=0).T.copy()
    net, planned, on_hand = (np.zeros_like(need_by_t) for _ in range(3))
    balance = bundle.on_hand[rows] - bundle.allocated[rows]
    modified = bool(mods.minimum.any() or mods.maximum.any() or mods.multiple.any())
    poq_periods = lots.periods[rows][poq]
    poq_width = int(poq_periods.max(initial=0))  # the longest POQ window
    for t in range(need_by_t.shape[0]):
        available = balance + supply_by_t[t]
        need = np.maximum(need_by_t[t] + safety - available, 0)
        lot = need.copy()
        lot[fixed] = fixed_lots(need[fixed], quantity[fixed])
        ordering = np.flatnonzero(need[poq] > 0)  # POQ items that order now
        if ordering.size:
            at = poq[ordering]
            before = cum_poq[ordering, t - 1] if t else 0
            base = safety[at] - balance[at] - before
            window = cum_poq[ordering, t : t + poq_width]
            lot[at] = poq_lots(window, base, poq_periods[ordering])
        order = np.where(need > 0, apply_modifiers(lot, mods), 0) if modified else lot
        balance = available + order - need_by_t[t]
        net[t], planned[t], on_hand[t] = need, order, balance
    return net.T, planned.T, on_hand.T


def _plan_one(bundle: Bundle, gross: I64, row: int, net: I64, planned: I64, on_hand: I64) -> None:
    """Plan one item with a cost-based rule through the per-item planner."""
    record = plan_item(
        gross[row].tolist(),
        bundle.scheduled_receipts[row].tolist(),
        bundle.firm_planned_receipts[row].tolist(),
        int(bundle.on_hand[row] - bundle.allocated[row]),
        int(bundle.safety_stock[row]),
        bundle.lots.item(row),
        bundle.scale,
    )
    net[row], planned[row], on_hand[row] = record.net, record.planned, record.on_hand


def _offset(releases: I64, rows: I64, receipts: I64, lead_time: I64) -> None:
    """Releases of ``rows`` (zero until now): each receipt moved back by the lead time,
    clamped into period 1; written in place, with no matrix of the level in between."""
    periods = receipts.shape[1]
    for lead in np.unique(lead_time).tolist():
        at = np.flatnonzero(lead_time == lead)
        shift = min(lead, periods)
        releases[rows[at], : periods - shift] = receipts[at, shift:]
        if shift:
            releases[rows[at], 0] += receipts[at, :shift].sum(axis=1)


def _explode(bundle: Bundle, gross: I64, releases: I64, level: _LevelEdges) -> None:
    """Add the parents' releases × usage factor to their components' gross requirements."""
    if not level.edges.size:
        return
    _check_size(bundle, releases, level)
    kid = bundle.bom.component
    # No component is twice in a slot, so `+=` through the index adds every edge of it:
    # no (edges, periods) temporary to reduce, for the components' first parents.
    for edges in level.slots:
        gross[kid[edges]] += requirement(bundle, releases, edges)
    if level.rest.size:  # components with many parents: one sparse aggregation
        kids = kid[level.rest]
        starts = np.flatnonzero(np.r_[True, kids[1:] != kids[:-1]])
        gross[kids[starts]] += np.add.reduceat(requirement(bundle, releases, level.rest),
                                               starts, axis=0)


def _check_size(bundle: Bundle, releases: I64, level: _LevelEdges) -> None:
    """Refuse a level whose largest release × largest factor leaves exact 64-bit integers."""
    bom = bundle.bom
    factor = bom.factor[level.edges]
    biggest = float(releases[level.parents].max(initial=0)) * float(factor.max(initial=0))
    if biggest >= 2.0**62:
        worst = int(level.edges[np.argmax(factor)])
        raise BundleError(bundle.skus[int(bom.component[worst])], "gross_requirements",
                          biggest / 10.0 ** (bom.places + bundle.scale), "is too large to plan")


def requirement(bundle: Bundle, releases: I64, edges: I64) -> I64:
    """Each edge's requirement per period: parent release × factor, rounded up if inexact."""
    bom = bundle.bom
    return usage(releases[bom.parent[edges]] * bom.factor[edges][:, None], bom.places)


def usage(product: I64, places: int) -> I64:
    """Release × factor (the factor scaled by ``10**places``) as a quantity, rounded up."""
    return -(-product // 10**places) if places else product
