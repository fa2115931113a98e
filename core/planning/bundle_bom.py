"""Validation of the ``bom`` lines and their exact usage factors.

A line's factor is ``qty × (1 + scrap_pct/100)``, exact. Two lines with the
same parent and component are one edge whose factor is their sum. Factors
are held as integer numerators over ``10**places``; a factor needing more
than ``MAX_FACTOR_PLACES`` places is rounded up to that many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.planning.errors import BundleError
from core.planning.quantities import exact_decimal, scaled_places

I64 = NDArray[np.int64]
MAX_FACTOR_PLACES = 9
LINE_FIELDS = frozenset({"parent", "component", "qty", "scrap_pct"})
SIMPLE_FIELDS = frozenset({"parent", "component", "qty"})


@dataclass(frozen=True)
class Bom:
    """BOM edges: ``factor[e] / 10**places`` units of ``component[e]`` per ``parent[e]``."""

    parent: I64
    component: I64
    factor: I64
    places: int
    edge_places: I64  # decimal places each factor really has


def parse_bom(raw: Any, index: dict[str, int]) -> Bom:
    """Validate the ``bom`` list against the known skus (``index``: sku → row)."""
    if not isinstance(raw, list):
        raise BundleError(None, "bom", raw, "is not a list")
    simple = _simple_lines(raw, index)
    if simple is not None:
        return simple
    factors: dict[tuple[int, int], int | Decimal] = {}
    for position, line in enumerate(raw):
        parent, component, factor = _line(position, line, index)
        key = (parent, component)
        factors[key] = factors.get(key, 0) + factor
    return _edges(factors)


def _simple_lines(raw: list[Any], index: dict[str, int]) -> Bom | None:
    """The common case, checked column-wise: whole quantities and no scrap.

    Returns None for anything else; the line-by-line path then finds any error.
    """
    try:
        if not all(type(line) is dict and line.keys() <= SIMPLE_FIELDS for line in raw):
            return None
        parents = np.array([index[line["parent"]] for line in raw], dtype=np.int64)
        kids = np.array([index[line["component"]] for line in raw], dtype=np.int64)
        qty = [line["qty"] for line in raw]
    except (KeyError, TypeError):
        return None
    if not all(type(q) is int and 0 <= q < 2**62 for q in qty):
        return None
    return whole_edges(parents, kids, qty, len(index))


def whole_edges(parents: I64, kids: I64, qty: list[int], count: int) -> Bom:
    """The edges of checked lines with whole quantities (0 <= qty < 2**62), no scrap."""
    key = parents * count + kids
    unique, inverse = np.unique(key, return_inverse=True)
    factor = np.zeros(unique.size, dtype=np.int64)
    np.add.at(factor, inverse, np.array(qty, dtype=np.int64))
    zeros = np.zeros(unique.size, dtype=np.int64)
    return Bom(unique // count, unique % count, factor, 0, zeros)


def _line(position: int, line: Any, index: dict[str, int]) -> tuple[int, int, int | Decimal]:
    where = f"bom[{position}]"
    if not isinstance(line, dict):
        raise BundleError(None, where, line, "is not an object")
    parent_sku = line.get("parent")
    item = parent_sku if isinstance(parent_sku, str) else None
    for key in line:
        if key not in LINE_FIELDS:
            raise BundleError(item, f"{where}.{key}", line[key], "is not a field of a bom line")
    rows = []
    for key in ("parent", "component"):
        sku = line.get(key)
        if not isinstance(sku, str) or sku not in index:
            raise BundleError(item, f"{where}.{key}", sku, "is not a known sku")
        rows.append(index[sku])
    qty = _number(item, f"{where}.qty", line.get("qty"))
    scrap = _number(item, f"{where}.scrap_pct", line.get("scrap_pct", 0))
    if not scrap and type(qty) is int:
        return rows[0], rows[1], qty
    return rows[0], rows[1], exact_decimal(qty) * (1 + exact_decimal(scrap) / 100)


def _number(item: str | None, field: str, value: Any) -> int | float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise BundleError(item, field, value, "is not a number")
    if value < 0:
        raise BundleError(item, field, value, "is negative")
    return value


def _edges(factors: dict[tuple[int, int], int | Decimal]) -> Bom:
    keys = list(factors)
    exact = [factors[k] for k in keys]
    edge_places = [scaled_places(f) if isinstance(f, Decimal) else 0 for f in exact]
    places = min(max(edge_places, default=0), MAX_FACTOR_PLACES)
    unit = Decimal(10) ** places
    numerators = [
        f * 10**places if isinstance(f, int) else int((f * unit).to_integral_value(ROUND_CEILING))
        for f in exact
    ]
    for key, numerator in zip(keys, numerators, strict=True):
        if numerator >= 2**62:
            raise BundleError(None, "bom", factors[key], "is too large a quantity per parent")
    pairs = np.array(keys, dtype=np.int64).reshape(-1, 2)
    return Bom(pairs[:, 0].copy(), pairs[:, 1].copy(), np.array(numerators, dtype=np.int64),
               places, np.minimum(np.array(edge_places, dtype=np.int64), places))
