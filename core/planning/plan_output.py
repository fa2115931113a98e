"""The plan as the output dict of plan-bundle.md (ready for JSON).

Quantities are exact decimals: a JSON integer when whole, else the exact
decimal (see :func:`core.planning.quantities.to_number`). Items, planned
orders and exceptions follow the output order: low-level code, then sku.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.planning.exceptions import KINDS
from core.planning.planner import Plan
from core.planning.quantities import format_quantity, row_numbers

I64 = NDArray[np.int64]
ARRAYS = ("gross_requirements", "scheduled_receipts", "projected_on_hand", "net_requirements",
          "planned_order_receipts", "planned_order_releases")


def render_plan(plan: Plan) -> dict[str, Any]:
    """The output dict of plan-bundle.md, of plain Python values (int, float, Decimal).

    For writing a big plan as JSON, :func:`core.planning.plan_json.plan_json`
    gives the same bytes much faster.
    """
    return {
        "periods": plan.bundle.periods,
        "items": _items(plan),
        "planned_orders": _planned_orders(plan),
        "exceptions": render_exceptions(plan),
    }


def _rows(matrix: I64, scale: int) -> list[list[Any]]:
    return [row_numbers(row, scale) for row in matrix]


def _items(plan: Plan) -> dict[str, Any]:
    bundle, rec = plan.bundle, plan.records
    matrices = (rec.gross, bundle.scheduled_receipts, rec.on_hand, rec.net, rec.receipts,
                rec.releases)
    columns = [_rows(m, bundle.scale) for m in matrices]
    atp = dict(zip(plan.atp_rows.tolist(), _rows(plan.atp, bundle.scale),
                   strict=True))
    codes = bundle.low_level_code.tolist()
    items: dict[str, Any] = {}
    for row in np.argsort(plan.rank).tolist():
        record: dict[str, Any] = {"low_level_code": codes[row]}
        for name, column in zip(ARRAYS, columns, strict=True):
            record[name] = column[row]
        if row in atp:
            record["available_to_promise"] = atp[row]
        items[bundle.skus[row]] = record
    return items


def _planned_orders(plan: Plan) -> list[dict[str, Any]]:
    bundle, orders, pegs = plan.bundle, plan.orders, plan.pegging
    skus, scale = bundle.skus, bundle.scale
    peg_skus = [skus[r] for r in pegs.sku_row.tolist()]
    peg_sources = np.where(pegs.from_parent, "parent", "demand").tolist()
    peg_rows = [
        {"sku": s, "period": p, "quantity": q, "source": src}
        for s, p, q, src in zip(peg_skus, (pegs.period + 1).tolist(),
                                row_numbers(pegs.quantity, scale), peg_sources, strict=True)
    ]
    bounds = pegs.starts.tolist()
    return [
        {"sku": skus[i], "quantity": q, "release_period": rel, "receipt_period": rec,
         "pegging": peg_rows[bounds[k] : bounds[k + 1]]}
        for k, (i, q, rel, rec) in enumerate(zip(
            orders.item.tolist(), row_numbers(orders.quantity, scale),
            (orders.release + 1).tolist(), (orders.receipt + 1).tolist(), strict=True))
    ]


def render_exceptions(plan: Plan) -> list[dict[str, Any]]:
    """The ``exceptions`` list of the output."""
    found = plan.exceptions
    return [
        _exception(plan.bundle.skus[row], KINDS[kind], period, q, late, need)
        for row, kind, period, q, late, need in zip(
            found.row.tolist(), found.kind.tolist(), found.period.tolist(),
            _quantity_texts(found.quantity, plan.bundle.scale), found.periods_late.tolist(),
            found.need_period.tolist(), strict=True)
    ]


def _quantity_texts(quantities: I64, scale: int) -> list[str]:
    """Quantities as message text; whole ones without going through Decimal (far faster)."""
    unit = 10**scale
    if not np.any(quantities % unit):
        return [str(q) for q in (quantities // unit).tolist()]
    return [format_quantity(q, scale) for q in quantities.tolist()]


def _plural(count: int) -> str:
    return f"{count} period" if count == 1 else f"{count} periods"


def _exception(sku: str, kind: str, period: int, quantity: str, late: int,
               need: int) -> dict[str, Any]:
    out: dict[str, Any] = {"sku": sku, "kind": kind, "period": period}
    if kind == "past_due":
        out["periods_late"] = late
        out["message"] = f"{sku}: {quantity} must be released {_plural(late)} before period 1"
        return out
    what = f"{sku}: scheduled receipt of {quantity} due in period {period}"
    if kind == "cancel":
        out["message"] = f"{what} is not needed: cancel"
        return out
    out["need_period"] = need
    if kind == "expedite":
        out["message"] = f"{what} is needed in period {need}: expedite {_plural(period - need)}"
    else:
        out["message"] = f"{what} is not needed until period {need}: defer {_plural(need - period)}"
    return out
