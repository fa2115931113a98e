"""Small bundle builders shared by the planning tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Bundle = dict[str, Any]


def one_item(periods: int, demand: Mapping[int, float] | Sequence[float], **fields: Any) -> Bundle:
    """A bundle with a single item ``x`` (demand as {period: qty} or a list from period 1)."""
    if not isinstance(demand, Mapping):
        demand = {p + 1: q for p, q in enumerate(demand) if q}
    item = {"sku": "x", "demand": {str(p): q for p, q in demand.items()}, **fields}
    return {"periods": periods, "items": [item]}
