"""Nonzero cells of the (items, periods) matrices, listed in output order of items.

The engine plans a level at a time in output order (see :mod:`core.planning.mrp`),
so it lists a level's nonzero planned receipts, releases and demand while the
level's rows are at hand: the planned orders and pegging then need neither a
pass over the whole matrices nor a sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Cells:
    """Bundle ``row``, ``period`` (0-based) and ``value`` of nonzero cells, in output
    order of rows, then by period."""

    row: I64
    period: I64
    value: I64


def nonzero_cells(block: I64, rows: I64) -> Cells:
    """The nonzero cells of a block whose row k is bundle row ``rows[k]``, row by row."""
    flat = np.flatnonzero(block)
    local = flat // block.shape[1]
    return Cells(rows[local], flat - local * block.shape[1], block.ravel()[flat])


def joined(parts: list[Cells]) -> Cells:
    """The cells of consecutive parts, in order."""
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Cells(empty, empty, empty)
    return Cells(np.concatenate([p.row for p in parts]),
                 np.concatenate([p.period for p in parts]),
                 np.concatenate([p.value for p in parts]))
