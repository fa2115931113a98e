"""Low-level codes: every parent is planned before any of its components.

An item's code is the length of the longest BOM path from an end item down
to it (end items are 0). Kahn's topological sort runs one whole level at a
time with NumPy; items left with unprocessed parents lie on or below a cycle.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.planning.errors import BundleError

I64 = NDArray[np.int64]


def low_level_codes(count: int, parent: I64, child: I64, skus: list[str]) -> I64:
    """Low-level code of each of ``count`` items, given BOM edges parent → child.

    Raises :class:`BundleError` naming an item on a cycle and the cycle itself.
    """
    order = np.argsort(parent, kind="stable")
    children = child[order]
    starts = np.searchsorted(parent[order], np.arange(count + 1))
    waiting = np.bincount(child, minlength=count)
    codes = np.zeros(count, dtype=np.int64)
    frontier = np.flatnonzero(waiting == 0)
    level = 0
    while frontier.size:
        codes[frontier] = level
        kids = children[_edge_slices(starts, frontier)]
        waiting -= np.bincount(kids, minlength=count)
        frontier = np.unique(kids[waiting[kids] == 0])
        level += 1
    if np.any(waiting > 0):
        _raise_cycle(np.flatnonzero(waiting > 0), parent, child, skus)
    return codes


def _edge_slices(starts: I64, nodes: I64) -> I64:
    """Indices of all edges leaving ``nodes`` in a CSR layout (no Python loop)."""
    counts = starts[nodes + 1] - starts[nodes]
    total = int(counts.sum())
    offsets = np.repeat(starts[nodes] - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total)


def _raise_cycle(stuck: I64, parent: I64, child: I64, skus: list[str]) -> None:
    # Every stuck item has a stuck parent, so walking up parents must loop.
    stuck_set = set(stuck.tolist())
    parents: dict[int, list[int]] = {}
    for p, c in zip(parent.tolist(), child.tolist(), strict=True):
        if p in stuck_set and c in stuck_set:
            parents.setdefault(c, []).append(p)
    node = min(stuck_set, key=lambda i: skus[i])
    path: list[int] = []
    seen: dict[int, int] = {}
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(parents[node], key=lambda i: skus[i])
    loop = path[seen[node] :]
    loop.reverse()  # walked upwards; show it parent → component
    names = [skus[i] for i in loop] + [skus[loop[0]]]
    raise BundleError(names[0], "bom", " -> ".join(names), "is a cycle")
