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
DEMAND_FIELDS = frozenset({"demand", "forecast", "customer_orders", "demand_time_fence"})
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
        if not raw.keys() <= ITEM_FIELDS:
            key = min(raw.keys() - ITEM_FIELDS)
            raise BundleError(sku, key, raw[key], "is not a field of an item")
        row = len(self.skus)
        self.index[sku] = row
        self.skus.append(sku)
        for key, column in self.scalars.items():
            value = raw.get(key, 0)
            column.append(value if type(value) is int and value >= 0
                          else self.quantity(sku, key, value))
        lead = raw.get("lead_time", 0)
        self.lead_time.append(lead if type(lead) is int and lead >= 0
                              else _whole(sku, "lead_time", lead))
        if not raw.keys().isdisjoint(DEMAND_FIELDS):
            self._demand(sku, row, raw)
        for key in PERIOD_MAPS:
            if key in raw:
                self.period_map(sku, row, key, raw[key])
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

    def period_map(self, sku: str, row: int, name: str, raw: Any) -> None:
        """Validate one period map (period: quantity) and append its entries."""
        if not isinstance(raw, dict):
            raise BundleError(sku, name, raw, "is not an object of period: quantity")
        entries, keys = self.maps[name], self.period_keys
        try:  # the common case at C speed: valid periods, whole quantities
            cols = [keys[key] for key in raw]
            values = list(raw.values())
            plain = _plain_column(values)
        except KeyError:
            plain = False
        if not plain:
            cols, values = [], []
            for key, value in raw.items():
                col = keys.get(key)
                if col is None:
                    raise BundleError(sku, name, key, f"is not a period in 1..{self.periods}")
                cols.append(col)
                values.append(self.quantity(sku, f"{name}.{key}", value))
        entries.rows.extend([row] * len(cols))
        entries.cols.extend(cols)
        entries.values.extend(values)


def _whole(sku: str, name: str, value: Any) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise BundleError(sku, name, value, "is not a whole number")
    if value < 0:
        raise BundleError(sku, name, value, "is negative")
    return value


def read_items(raw: list[Any], periods: int) -> Columns:
    """Validate all items: column-wise when every value is plain, else item by item.

    The column-wise pass only accepts what it can check wholesale (whole,
    non-negative numbers and so on); anything else goes through
    :meth:`Columns.add_item`, which finds and names the first error.
    """
    cols = Columns(periods)
    if not _read_plain(cols, raw):
        cols = Columns(periods)
        for position, item in enumerate(raw):
            cols.add_item(position, item)
    return cols


def _plain_column(values: list[Any]) -> bool:
    return all(type(v) is int for v in values) and min(values, default=0) >= 0


def _read_plain(cols: Columns, raw: list[Any]) -> bool:
    if not all(type(item) is dict and item.keys() <= ITEM_FIELDS for item in raw):
        return False
    skus = [item.get("sku") for item in raw]
    if not all(type(s) is str and s for s in skus) or len(set(skus)) != len(skus):
        return False
    if any(not item.keys().isdisjoint(DEMAND_FIELDS - {"demand"}) for item in raw):
        return False  # MPS items are rare: take the careful path
    columns = {key: [item.get(key, 0) for item in raw] for key in (*SCALARS, "lead_time")}
    if not all(_plain_column(values) for values in columns.values()):
        return False
    cols.skus = skus
    cols.index = {sku: row for row, sku in enumerate(skus)}
    for key in SCALARS:
        cols.scalars[key] = columns[key]
    cols.lead_time = columns["lead_time"]
    for key in PERIOD_MAPS:
        for row, item in enumerate(raw):
            if key in item:
                cols.period_map(skus[row], row, key, item[key])
    for sku, item in zip(skus, raw, strict=True):
        cols.lots.append(parse_lot_sizing(sku, item.get("lot_sizing"), cols.periods,
                                          cols.quantity))
    return True
