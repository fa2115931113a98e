"""A plan bundle (shared/formats/plan-bundle.md) parsed into NumPy arrays.

:func:`parse_bundle` validates a bundle dict (as read from JSON) and returns a
:class:`Bundle`; a bundle that breaks a rule raises
:class:`~core.planning.errors.BundleError`, whose message names the item,
the field and the value. Items keep the order of the bundle (row i is
``skus[i]``); quantities are scaled integers (see :mod:`core.planning.quantities`).

Choices where plan-bundle.md is silent:

* Unknown fields (of the bundle, an item, a BOM line or a lot-sizing rule)
  are refused, so that a misspelt ``safety_stok`` is not silently ignored.
* Quantities are JSON numbers (``"10"`` is refused), at most 6 decimal
  places; lead times, POQ periods and the demand time fence are whole.
* An item has either ``demand`` or ``forecast``/``customer_orders``, not both.
* Two BOM lines with the same parent and component add up.
* ``allocated`` above ``on_hand`` is allowed: the shortfall is a requirement
  in period 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.planning.bundle_bom import Bom, parse_bom
from core.planning.bundle_items import PERIOD_MAPS, Columns, Entries, read_items
from core.planning.bundle_lots import LotInput
from core.planning.errors import BundleError
from core.planning.item_record import CostParams, ItemLot
from core.planning.low_level_codes import low_level_codes
from core.planning.quantities import MAX_DECIMALS, MAX_SCALED

I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]
TOP_FIELDS = frozenset({"periods", "items", "bom"})


@dataclass(frozen=True)
class Lots:
    """Lot-sizing of every item: rule codes and scaled quantities (0 = not set)."""

    rule: I64
    quantity: I64  # fixed lot, or the EOQ
    periods: I64  # POQ
    minimum: I64
    maximum: I64
    multiple: I64
    costs: dict[int, CostParams]  # row → costs, for the cost-based rules

    def item(self, row: int) -> ItemLot:
        """The lot-sizing of one row, for the per-item planner."""
        return ItemLot(int(self.rule[row]), int(self.quantity[row]), int(self.periods[row]),
                       int(self.minimum[row]), int(self.maximum[row]), int(self.multiple[row]),
                       self.costs.get(row))


@dataclass(frozen=True)
class Mps:
    """The MPS items: ``rows`` into the bundle, and their forecast and customer orders."""

    rows: I64
    forecast: I64
    customer_orders: I64
    demand_time_fence: I64
    has_orders: Bools  # the item gave customer_orders, so it gets an ATP row


@dataclass(frozen=True)
class Bundle:
    """A validated plan bundle. Matrices are (items, periods); period 1 is column 0."""

    periods: int
    skus: list[str]
    scale: int
    low_level_code: I64
    on_hand: I64
    allocated: I64
    safety_stock: I64
    lead_time: I64
    demand: I64
    scheduled_receipts: I64
    firm_planned_receipts: I64
    mps: Mps
    lots: Lots
    bom: Bom


def parse_bundle(raw: Any) -> Bundle:
    """Validate a bundle dict and return it as arrays, or raise :class:`BundleError`."""
    if not isinstance(raw, dict):
        raise BundleError(None, "bundle", raw, "is not an object")
    for key in raw:
        if key not in TOP_FIELDS:
            raise BundleError(None, key, raw[key], "is not a field of a bundle")
    periods = raw.get("periods")
    if type(periods) is not int or periods < 1:
        raise BundleError(None, "periods", periods, "is not a whole number >= 1")
    items = raw.get("items", [])
    if not isinstance(items, list):
        raise BundleError(None, "items", items, "is not a list")
    cols = read_items(items, periods)
    return bundle_of(cols, parse_bom(raw.get("bom", []), cols.index))


def bundle_of(cols: Columns, bom: Bom) -> Bundle:
    """The bundle of validated items and BOM: low-level codes, scale and arrays."""
    codes = low_level_codes(len(cols.skus), bom.parent, bom.component, cols.skus)
    scale = _scale(cols.decimals, codes, bom)
    return _assemble(cols, bom, codes, scale)


def _scale(decimals: int, codes: I64, bom: Bom) -> int:
    """Decimal places the plan needs: inputs plus the factors along the longest BOM path."""
    added = np.zeros(codes.size, dtype=np.int64)
    for level in range(int(codes.max(initial=0))):
        edges = codes[bom.parent] == level
        reach = added[bom.parent[edges]] + bom.edge_places[edges]
        np.maximum.at(added, bom.component[edges], reach)
    return min(MAX_DECIMALS, decimals + int(added.max(initial=0)))


def _assemble(cols: Columns, bom: Bom, codes: I64, scale: int) -> Bundle:
    n, periods = len(cols.skus), cols.periods
    dense = {key: _matrix(cols, key, cols.maps[key], scale) for key in PERIOD_MAPS}
    mps_rows = np.array(cols.mps_rows, dtype=np.int64)
    mps = Mps(mps_rows, dense["forecast"][mps_rows], dense["customer_orders"][mps_rows],
              np.array(cols.fence, dtype=np.int64), np.array(cols.has_orders, dtype=np.bool_))
    scalars = {key: _scaled(cols, key, list(range(n)), cols.scalars[key], scale)
               for key in cols.scalars}
    return Bundle(
        periods=periods, skus=cols.skus, scale=scale, low_level_code=codes,
        on_hand=scalars["on_hand"], allocated=scalars["allocated"],
        safety_stock=scalars["safety_stock"], lead_time=np.array(cols.lead_time, dtype=np.int64),
        demand=dense["demand"], scheduled_receipts=dense["scheduled_receipts"],
        firm_planned_receipts=dense["firm_planned_receipts"], mps=mps,
        lots=_lots(cols, scale), bom=bom,
    )


def _matrix(cols: Columns, name: str, entries: Entries, scale: int) -> I64:
    matrix = np.zeros((len(cols.skus), cols.periods), dtype=np.int64)
    if entries.rows:
        values = _scaled(cols, name, entries.rows, entries.values, scale)
        matrix[np.array(entries.rows), np.array(entries.cols)] = values
    return matrix


def _scaled(
    cols: Columns, name: str, rows: list[int], values: list[int | float], scale: int
) -> I64:
    """Values as integers of ``10**-scale``, refusing any too large to stay exact."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    as_float = np.array(values, dtype=np.float64)
    limit = MAX_SCALED / 10**scale
    if as_float.max() > limit:
        worst = int(np.argmax(as_float))
        raise BundleError(cols.skus[rows[worst]], name, values[worst], f"is larger than {limit:g}")
    return np.rint(as_float * 10**scale).astype(np.int64)


def _lots(cols: Columns, scale: int) -> Lots:
    lots: list[LotInput] = cols.lots
    rows = list(range(len(lots)))

    def column(attr: str) -> I64:
        return _scaled(cols, f"lot_sizing.{attr}", rows, [getattr(x, attr) for x in lots], scale)

    costs = {row: lot.costs for row, lot in enumerate(lots) if lot.costs is not None}
    return Lots(
        rule=np.array([x.rule for x in lots], dtype=np.int64),
        quantity=column("quantity"), periods=np.array([x.periods for x in lots], dtype=np.int64),
        minimum=column("minimum"), maximum=column("maximum"), multiple=column("multiple"),
        costs=costs,
    )
