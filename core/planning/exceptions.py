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
* Messages are listed in output order of items, then by period.
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


@dataclass(frozen=True)
class ActionMessage:
    """One exception; periods are 1-based, ``quantity`` is scaled."""

    row: int
    kind: str
    period: int
    quantity: int
    periods_late: int = 0
    need_period: int = 0


def action_messages(bundle: Bundle, records: Records, rank: I64) -> list[ActionMessage]:
    """All exceptions of the plan, in output order."""
    messages = _past_due(bundle, records) + _rescheduling(bundle, records)
    kind_order = {kind: k for k, kind in enumerate(KINDS)}
    messages.sort(key=lambda m: (int(rank[m.row]), m.period, kind_order[m.kind]))
    return messages


def _past_due(bundle: Bundle, records: Records) -> list[ActionMessage]:
    early = np.arange(bundle.periods)[None, :] < bundle.lead_time[:, None]
    rows, cols = np.nonzero((records.receipts > 0) & early)
    late = bundle.lead_time[rows] - cols
    quantity = records.receipts[rows, cols]
    return [ActionMessage(r, "past_due", 1, q, periods_late=d)
            for r, q, d in zip(rows.tolist(), quantity.tolist(), late.tolist(), strict=True)]


def _rescheduling(bundle: Bundle, records: Records) -> list[ActionMessage]:
    scheduled = bundle.scheduled_receipts
    rows, cols = np.nonzero(scheduled)
    if not rows.size:
        return []
    start = bundle.on_hand[rows] - bundle.allocated[rows]
    supply = scheduled[rows] + bundle.firm_planned_receipts[rows]
    before = np.cumsum(supply, axis=1) - supply  # supply of the periods before each one
    ahead = np.maximum(start, 0) + before[np.arange(rows.size), cols]
    required = np.cumsum(records.gross[rows], axis=1)
    required += (bundle.safety_stock[rows] + np.maximum(-start, 0))[:, None]
    need = (required <= ahead[:, None]).sum(axis=1)
    messages = []
    for r, due, needed, q in zip(rows.tolist(), cols.tolist(), need.tolist(),
                                 scheduled[rows, cols].tolist(), strict=True):
        if needed >= bundle.periods:
            messages.append(ActionMessage(r, "cancel", due + 1, q))
        elif needed < due:
            messages.append(ActionMessage(r, "expedite", due + 1, q, need_period=needed + 1))
        elif needed - due > DEFER_TOLERANCE:
            messages.append(ActionMessage(r, "defer", due + 1, q, need_period=needed + 1))
    return messages
