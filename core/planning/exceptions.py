"""Action messages: past-due releases and rescheduling of scheduled receipts.

Choices where plan-bundle.md is silent:

* ``past_due``: one message per item and receipt period whose release (of
  planned orders and firm planned receipts together) falls before period 1.
* The period that needs a scheduled receipt is found by netting without
  planned orders: on hand, then each period's scheduled and firm planned
  receipts in order, against safety stock plus the gross requirements. The
  first period whose cumulative requirement reaches past the supply that
  comes before the receipt is its need period.
* ``expedite`` when the need period is before the due period; ``defer`` when
  the receipt arrives "well before" it, meaning more than
  ``DEFER_TOLERANCE`` (1) period early, so that a receipt one period ahead of
  need does not nag the planner (a rescheduling dampener, as in APICS
  practice); ``cancel`` when no period in the horizon needs any of it.
* Messages are listed in output order of items, then by period and kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle import Bundle
from core.planning.mrp import Records

I64 = NDArray[np.int64]
DEFER_TOLERANCE = 1
KINDS = ("past_due", "expedite", "defer", "cancel")
PAST_DUE, EXPEDITE, DEFER, CANCEL = range(4)


@dataclass(frozen=True)
class ActionMessages:
    """All exceptions as parallel arrays: item row, kind (index into ``KINDS``),
    1-based period, scaled quantity, periods late (past due) and the 1-based
    period that needs the receipt (expedite and defer; else 0)."""

    row: I64
    kind: I64
    period: I64
    quantity: I64
    periods_late: I64
    need_period: I64


def action_messages(bundle: Bundle, records: Records, rank: I64) -> ActionMessages:
    """All exceptions of the plan, in output order."""
    parts = [_past_due(bundle, records), _rescheduling(bundle, records, rank)]
    merged = ActionMessages(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                              ("row", "kind", "period", "quantity", "periods_late",
                               "need_period")))
    order = np.lexsort((merged.kind, merged.period, rank[merged.row]))
    return ActionMessages(merged.row[order], merged.kind[order], merged.period[order],
                          merged.quantity[order], merged.periods_late[order],
                          merged.need_period[order])


def _past_due(bundle: Bundle, records: Records) -> ActionMessages:
    # Only the first (longest lead time) periods can be past due: look at those columns.
    reach = min(int(bundle.lead_time.max(initial=0)), bundle.periods)
    early = np.arange(reach)[None, :] < bundle.lead_time[:, None]
    rows, cols = np.nonzero((records.receipts[:, :reach] > 0) & early)
    ones = np.ones_like(rows)
    return ActionMessages(rows, ones * PAST_DUE, ones, records.receipts[rows, cols],
                          bundle.lead_time[rows] - cols, ones * 0)


def _rescheduling(bundle: Bundle, records: Records, rank: I64) -> ActionMessages:
    scheduled = bundle.scheduled_receipts
    # The engine's list of scheduled receipts (kind 0), not a scan of the matrix: the
    # order does not matter, messages are sorted at the end.
    cells = records.fixed_supply
    by_rank = np.empty_like(rank)
    by_rank[rank] = np.arange(rank.size)
    rows, cols = by_rank[cells.rank[cells.kind == 0]], cells.period[cells.kind == 0]
    start = bundle.on_hand[rows] - bundle.allocated[rows]
    supply = scheduled[rows] + bundle.firm_planned_receipts[rows]
    before = np.cumsum(supply, axis=1) - supply  # supply of the periods before each one
    ahead = np.maximum(start, 0) + before[np.arange(rows.size), cols]
    required = np.cumsum(records.gross[rows], axis=1)
    required += (bundle.safety_stock[rows] + np.maximum(-start, 0))[:, None]
    need = (required <= ahead[:, None]).sum(axis=1)
    kind = np.select([need >= bundle.periods, need < cols, need - cols > DEFER_TOLERANCE],
                     [CANCEL, EXPEDITE, DEFER], -1)
    keep = kind >= 0
    rows, cols, need, kind = rows[keep], cols[keep], need[keep], kind[keep]
    return ActionMessages(rows, kind, cols + 1, scheduled[rows, cols], np.zeros_like(rows),
                          np.where(kind == CANCEL, 0, need + 1))
