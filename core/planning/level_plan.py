"""One low-level code of the MRP engine: gross-to-net its items, then their releases.

A level's items come in output order. When they are consecutive rows of the
bundle (a bundle listed by low-level code and sku), every matrix of the
level is a view of the records: the results are written in place, with no
gather and no scatter. Otherwise the level's rows are gathered into blocks
and the results scattered back.

Most items go through the cumulative form of :mod:`core.planning.netting`;
items with order modifiers (or too large for it) through the period loop of
:mod:`core.planning.netting_loop`, and the cost-based rules one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.lot_sizing import COST_RULES
from core.planning.netting import cumulative_orders, fits, record_rows, shortfall
from core.planning.netting_loop import plan_loop, plan_one
from core.planning.rows import put_rows, row_items, rows_of, take_rows

I64 = NDArray[np.int64]
Rows = slice | I64


@dataclass(frozen=True)
class RecordMatrices:
    """The (items, periods) matrices the engine writes, by bundle row."""

    gross: I64
    net: I64
    on_hand: I64
    planned: I64
    releases: I64


def rows_index(rows: I64) -> Rows:
    """``rows`` as a slice when they are consecutive (indexing then gives views)."""
    if rows.size and int(rows[-1]) - int(rows[0]) == rows.size - 1 \
            and bool(np.all(np.diff(rows) == 1)):
        return slice(int(rows[0]), int(rows[-1]) + 1)
    return rows


@dataclass(frozen=True)
class FixedSupply:
    """The nonzero scheduled (``kind`` 0) and firm planned (1) receipts, in output order of
    their items (``rank``), then by period and kind (pegging's order of supply)."""

    rank: I64
    period: I64
    kind: I64
    amount: I64

    def of_ranks(self, first: int, end: int) -> FixedSupply:
        """The cells of the items ranked ``first`` to ``end``, ranks made local."""
        lo, hi = np.searchsorted(self.rank, [first, end])
        return FixedSupply(self.rank[lo:hi] - first, self.period[lo:hi], self.kind[lo:hi],
                           self.amount[lo:hi])


def fixed_supply(bundle: Bundle, has_firm: bool, rank: I64) -> FixedSupply:
    """The nonzero fixed supply cells (mostly zero matrices: a few thousand cells)."""
    matrices = [bundle.scheduled_receipts] + ([bundle.firm_planned_receipts] if has_firm else [])
    parts = []
    for kind, matrix in enumerate(matrices):
        flat = np.flatnonzero(matrix)
        row = flat // bundle.periods
        parts.append((rank[row], flat - row * bundle.periods, np.full_like(flat, kind),
                      matrix.ravel()[flat]))
    ranks, periods, kinds, amounts = (np.concatenate(part) for part in zip(*parts, strict=True))
    order = np.lexsort((kinds, periods, ranks))
    return FixedSupply(ranks[order], periods[order], kinds[order], amounts[order])


def plan_level(bundle: Bundle, mats: RecordMatrices, rows: I64, supply: FixedSupply,
               has_firm: bool) -> Rows:
    """Plan the items ``rows`` of one level (their gross requirements are complete) and
    write their records and releases; ``supply`` is theirs, by position in ``rows``.
    Returns how to index the level's rows (a slice when it can)."""
    at = rows_index(rows)
    lots = bundle.lots
    gross = rows_of(mats.gross, at)
    start = bundle.on_hand[at] - bundle.allocated[at]
    safety = bundle.safety_stock[at]
    cost = np.isin(lots.rule[at], list(COST_RULES))
    loop = (lots.minimum[at] != 0) | (lots.maximum[at] != 0) | (lots.multiple[at] != 0)
    supply_total = (np.bincount(supply.rank, weights=supply.amount, minlength=rows.size)
                    .astype(np.float64) if supply.rank.size else None)
    loop |= ~fits(gross, supply_total, start, safety)
    loop &= ~cost
    # D for every item of the level (the few planned otherwise ignore theirs).
    need = gross.copy() if isinstance(at, slice) else gross
    np.subtract.at(need, (supply.rank, supply.period), supply.amount)
    short = shortfall(need, start, safety)
    if not (cost.any() or loop.any()):
        _plan_cumulative(bundle, mats, at, short, safety)
    else:
        simple = np.flatnonzero(~(cost | loop))
        _plan_cumulative(bundle, mats, rows[simple], short[simple], safety[simple])
        if loop.any():
            vector = rows[loop]
            mats.net[vector], mats.planned[vector], mats.on_hand[vector] = plan_loop(
                bundle, mats.gross, vector, has_firm)
        for row in rows[cost].tolist():
            plan_one(bundle, mats.gross, row, mats.net, mats.planned, mats.on_hand)
    receipts = rows_of(mats.planned, at)
    if has_firm:
        receipts = receipts + rows_of(bundle.firm_planned_receipts, at)
    releases = mats.releases[at] if isinstance(at, slice) else np.empty_like(receipts)
    _offset(receipts, bundle.lead_time[at], releases)
    if not isinstance(at, slice):
        put_rows(mats.releases, at, releases)
    return at


def _plan_cumulative(bundle: Bundle, mats: RecordMatrices, at: Rows, short: I64,
                     safety: I64) -> None:
    """The cumulative form for the items ``at``, of shortfall ``short``."""
    lots = bundle.lots
    orders = cumulative_orders(short, lots.rule[at], lots.quantity[at], lots.periods[at])
    if isinstance(at, slice):  # views: written in place
        record_rows(short, orders, safety, mats.net[at], mats.planned[at], mats.on_hand[at])
        return
    net, planned, on_hand = (np.empty_like(short) for _ in range(3))
    record_rows(short, orders, safety, net, planned, on_hand)
    for matrix, block in ((mats.net, net), (mats.planned, planned), (mats.on_hand, on_hand)):
        put_rows(matrix, at, block)


def _offset(receipts: I64, lead_time: I64, releases: I64) -> None:
    """Write ``releases``: each receipt moved back by its item's lead time, clamped
    into period 1."""
    periods = receipts.shape[1]
    leads = np.unique(lead_time).tolist()
    if len(leads) == 1:
        _shift(receipts, min(leads[0], periods), releases)
        return
    for lead in leads:  # the rows of each lead time, gathered and scattered whole
        at = np.flatnonzero(lead_time == lead)
        moved = np.empty((at.size, periods), dtype=np.int64)
        _shift(take_rows(receipts, at), min(lead, periods), moved)
        row_items(releases)[at] = row_items(moved)


def _shift(receipts: I64, shift: int, out: I64) -> None:
    """``out``: ``receipts`` moved ``shift`` periods earlier, the first ones into period 1."""
    periods = receipts.shape[1]
    out[:, : periods - shift] = receipts[:, shift:]
    if shift:
        out[:, periods - shift :] = 0
        out[:, 0] += receipts[:, :shift].sum(axis=1)
