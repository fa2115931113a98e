"""Gathering and scattering whole rows of a matrix, each row in one piece.

NumPy indexes the rows of a 2-D array (``matrix[rows]``) number by number.
Viewed as a 1-D array of opaque items, one per row, the same gather or
scatter moves each row with one copy: about twice as fast for the engine's
rows of 52 periods.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]


def row_items(matrix: I64) -> NDArray[np.void]:
    """The rows of a C-contiguous matrix as one opaque item each (a view)."""
    return matrix.view(np.dtype((np.void, matrix.shape[1] * matrix.itemsize))).reshape(-1)


def take_rows(matrix: I64, rows: I64) -> I64:
    """``matrix[rows]`` (a new array)."""
    return row_items(matrix)[rows].view(matrix.dtype).reshape(rows.size, matrix.shape[1])


def add_rows(matrix: I64, rows: I64, values: I64) -> None:
    """``matrix[rows] += values``, for distinct ``rows``."""
    block = take_rows(matrix, rows)
    block += values
    row_items(matrix)[rows] = row_items(block)


def rows_of(matrix: I64, at: slice | I64) -> I64:
    """``matrix[at]``: a view for a slice of rows, else a new array."""
    return matrix[at] if isinstance(at, slice) else take_rows(matrix, at)


def put_rows(matrix: I64, at: I64, block: I64) -> None:
    """``matrix[at] = block`` for distinct rows ``at``."""
    row_items(matrix)[at] = row_items(block)
