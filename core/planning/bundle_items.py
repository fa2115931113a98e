"""Validation of the ``items`` of a bundle, collected column by column.

Values are checked and kept as written (int or float) until every item is
read, because the bundle's decimal scale depends on all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from core.planning.bundle_lots import LotInput, parse_lot_sizing
from core.planning.errors import BundleError
from core.planning.quantities import MAX_DECIMALS, decimal_places

PERIOD_MAPS = ("demand", "forecast", "customer_orders", "scheduled_receipts",
               "firm_planned_receipts")
SCALARS = ("on_hand", "allocated", "safety_stock")
ITEM_FIELDS = frozenset({"sku", "lead_time", "lot_sizing", "demand_time_fence", *SCALARS,
                         *PERIOD_MAPS})


@dataclass
class Entries:
    """Sparse (row, period index, value) entries of one period map."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    values: list[int | float] = field(default_factory=list)


@dataclass
class Columns:
    """The items read so far, one list per field."""

    periods: int
    decimals: int = 0
    skus: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    scalars: dict[str, list[int | float]] = field(default_factory=lambda: {k: [] for k in SCALARS})
    lead_time: list[int] = field(default_factory=list)
    fence: list[int] = field(default_factory=list)
    maps: dict[str, Entries] = field(default_factory=lambda: {k: Entries() for k in PERIOD_MAPS})
    mps_rows: list[int] = field(default_factory=list)
    has_orders: list[bool] = field(default_factory=list)
    lots: list[LotInput] = field(default_factory=list)
    period_keys: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.period_keys = {str(p): p - 1 for p in range(1, self.periods + 1)}

    def quantity(self, sku: str, name: str, value: Any) -> int | float:
        """Check a quantity (a non-negative finite number) and note its decimal places."""
        kind = type(value)
        if kind is int:
            if value < 0:
                raise BundleError(sku, name, value, "is negative")
            return value
        if kind is not float or not math.isfinite(value):
            raise BundleError(sku, name, value, "is not a number")
        if value < 0:
            raise BundleError(sku, name, value, "is negative")
        if not value.is_integer():
            places = decimal_places(value)
            if places > MAX_DECIMALS:
                raise BundleError(sku, name, value, f"has more than {MAX_DECIMALS} decimal places")
            self.decimals = max(self.decimals, places)
        return value

    def add_item(self, position: int, raw: Any) -> None:
        """Validate one item and append its fields."""
        if not isinstance(raw, dict):
            raise BundleError(None, f"items[{position}]", raw, "is not an object")
        sku = raw.get("sku")
        if not isinstance(sku, str) or not sku:
            raise BundleError(None, f"items[{position}].sku", sku, "is not a non-empty string")
        if sku in self.index:
            raise BundleError(sku, "sku", sku, "is a duplicate")
        for key in raw:
            if key not in ITEM_FIELDS:
                raise BundleError(sku, key, raw[key], "is not a field of an item")
        row = len(self.skus)
        self.index[sku] = row
        self.skus.append(sku)
        for key in SCALARS:
            self.scalars[key].append(self.quantity(sku, key, raw.get(key, 0)))
        self.lead_time.append(_whole(sku, "lead_time", raw.get("lead_time", 0)))
        self._demand(sku, row, raw)
        for key in PERIOD_MAPS:
            if key in raw:
                self._period_map(sku, row, key, raw[key])
        self.lots.append(parse_lot_sizing(sku, raw.get("lot_sizing"), self.periods, self.quantity))

    def _demand(self, sku: str, row: int, raw: dict[str, Any]) -> None:
        is_mps = "forecast" in raw or "customer_orders" in raw
        if "demand" in raw and is_mps:
            raise BundleError(sku, "demand", raw["demand"],
                              "cannot be combined with forecast or customer_orders")
        fence = _whole(sku, "demand_time_fence", raw.get("demand_time_fence", 0))
        if is_mps:
            self.mps_rows.append(row)
            self.fence.append(fence)
            self.has_orders.append("customer_orders" in raw)

    def _period_map(self, sku: str, row: int, name: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise BundleError(sku, name, raw, "is not an object of period: quantity")
        entries, keys = self.maps[name], self.period_keys
        for key, value in raw.items():
            col = keys.get(key)
            if col is None:
                raise BundleError(sku, name, key, f"is not a period in 1..{self.periods}")
            if type(value) is not int or value < 0:
                value = self.quantity(sku, f"{name}.{key}", value)
            entries.rows.append(row)
            entries.cols.append(col)
            entries.values.append(value)


def _whole(sku: str, name: str, value: Any) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise BundleError(sku, name, value, "is not a whole number")
    if value < 0:
        raise BundleError(sku, name, value, "is negative")
    return value
