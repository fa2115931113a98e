"""Reading a bundle from JSON bytes, with a typed fast path for the common shape.

Most bundles hold only whole, non-negative quantities, plain demand and the
simple lot-sizing rules. msgspec decodes those straight into typed structs,
checking types, signs and unknown fields in C while it parses, so nothing
is checked again value by value in Python. Anything else (decimals, MPS
items, cost-based rules, modifiers, scrap, or any error at all) goes the
careful way, :func:`core.planning.bundle.parse_bundle` on the parsed JSON,
which accepts the same bundles and names the first error: the fast path
never decides what an error message says.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

import msgspec
import numpy as np
import orjson
from msgspec import Meta, Struct

from core.planning.bundle import Bundle, bundle_of, parse_bundle
from core.planning.bundle_bom import Bom, whole_edges
from core.planning.bundle_items import Columns
from core.planning.bundle_lots import DEFAULT_LOT, LotInput
from core.planning.errors import BundleError
from core.planning.lot_sizing import FIXED, POQ

Whole = Annotated[int, Meta(ge=0)]
Positive = Annotated[int, Meta(gt=0)]
# An absent period map is UNSET: an explicit null must reach the careful path's error.
PeriodMap = dict[str, Whole] | msgspec.UnsetType


class _LotForLot(Struct, tag="lot_for_lot", tag_field="rule", forbid_unknown_fields=True):
    pass


class _Fixed(Struct, tag="fixed", tag_field="rule", forbid_unknown_fields=True):
    quantity: Positive


class _Poq(Struct, tag="poq", tag_field="rule", forbid_unknown_fields=True):
    periods: Positive


class _Item(Struct, forbid_unknown_fields=True):
    sku: Annotated[str, Meta(min_length=1)]
    on_hand: Whole = 0
    allocated: Whole = 0
    safety_stock: Whole = 0
    lead_time: Whole = 0
    lot_sizing: _LotForLot | _Fixed | _Poq | None = None
    demand: PeriodMap = msgspec.UNSET
    scheduled_receipts: PeriodMap = msgspec.UNSET
    firm_planned_receipts: PeriodMap = msgspec.UNSET


class _Line(Struct, forbid_unknown_fields=True):
    parent: str
    component: str
    qty: Annotated[int, Meta(ge=0, lt=2**62)]


class _Bundle(Struct, forbid_unknown_fields=True):
    periods: Annotated[int, Meta(ge=1)]
    items: list[_Item] = []
    bom: list[_Line] = []


_DECODER = msgspec.json.Decoder(_Bundle)
_MAPS = ("demand", "scheduled_receipts", "firm_planned_receipts")


def read_bundle(data: bytes) -> Bundle:
    """Validate a bundle given as JSON bytes; raise :class:`BundleError` or
    ``orjson.JSONDecodeError`` as :func:`parse_bundle` on ``orjson.loads`` would."""
    try:
        typed = _DECODER.decode(data)
        return bundle_of(*_plain(typed))
    except (msgspec.DecodeError, BundleError, KeyError):
        return parse_bundle(orjson.loads(data))


def _plain(typed: _Bundle) -> tuple[Columns, Bom]:
    """Columns and BOM of a typed bundle; KeyError or BundleError if anything is off."""
    items = typed.items
    cols = Columns(typed.periods)
    cols.skus = [item.sku for item in items]
    cols.index = {sku: row for row, sku in enumerate(cols.skus)}
    if len(cols.index) != len(items):
        raise KeyError("duplicate sku")
    cols.scalars = {key: [getattr(item, key) for item in items]
                    for key in ("on_hand", "allocated", "safety_stock")}
    cols.lead_time = [item.lead_time for item in items]
    for key in _MAPS:
        _period_maps(cols, key, [getattr(item, key) for item in items])
    cols.lots = [_lot(item.lot_sizing) for item in items]
    index, lines = cols.index, typed.bom
    parents = np.array([index[line.parent] for line in lines], dtype=np.int64)
    kids = np.array([index[line.component] for line in lines], dtype=np.int64)
    return cols, whole_edges(parents, kids, [line.qty for line in lines], len(index))


def _period_maps(cols: Columns, name: str, maps: list[dict[str, int] | msgspec.UnsetType]) -> None:
    """Entries of one period map of every item; the values are checked already."""
    entries, keys = cols.maps[name], cols.period_keys
    for row, entry in enumerate(maps):
        if entry:  # UNSET and {} are false
            assert isinstance(entry, dict)
            entries.cols.extend([keys[key] for key in entry])  # KeyError: not a period
            entries.values.extend(entry.values())
            entries.rows.extend([row] * len(entry))


def _lot(rule: _LotForLot | _Fixed | _Poq | None) -> LotInput:
    # The same few rules recur across thousands of items: share one (frozen) LotInput each.
    if isinstance(rule, _Fixed):
        return _fixed(rule.quantity)
    if isinstance(rule, _Poq):
        return _poq(rule.periods)
    return DEFAULT_LOT


@lru_cache(maxsize=4096)
def _fixed(quantity: int) -> LotInput:
    return LotInput(FIXED, quantity=quantity)


@lru_cache(maxsize=256)
def _poq(periods: int) -> LotInput:
    return LotInput(POQ, periods=periods)
