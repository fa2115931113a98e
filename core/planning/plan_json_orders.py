"""The ``planned_orders`` part of the plan JSON, by :mod:`core.planning.json_rows`.

Planned orders and their pegs are millions of small objects: each order is
a row and each of its pegs a row below it, all of one width, filled from two
templates and squeezed into text at once. An order's row opens its object
(``{"sku":...,"pegging":[``) and closes the previous order's (``]},``); the
caller closes the last one.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from core.planning.json_rows import (
    U8,
    Template,
    compact,
    fill,
    put_choice,
    put_number,
    records,
    table,
    width_for,
)
from core.planning.planner import Plan

I64 = NDArray[np.int64]
# A peg's source and whether another peg follows it in the same order.
_SOURCES = table([b'"demand"}', b'"parent"}', b'"demand"},', b'"parent"},'])


#: Threads formatting order pieces, and how many pieces may be done ahead of the writer.
FORMAT_THREADS = min(2, os.cpu_count() or 1)
AHEAD = 4


def order_rows(plan: Plan, unit: int, keys: U8, chunk: int) -> Iterator[bytes]:
    """The planned orders as JSON objects separated by commas, ``chunk`` orders a piece."""
    count = plan.orders.item.size
    period_width = width_for(np.array([plan.bundle.periods]))

    def piece(lo: int) -> bytes:
        return _order_chunk(plan, unit, keys, lo, min(lo + chunk, count), period_width)

    # Pieces are independent and nearly all NumPy work, which releases the GIL: a second
    # core formats the next pieces while this one is written. Only a few run ahead, so
    # the text waiting to be written stays a few pieces, not the whole output.
    with ThreadPoolExecutor(FORMAT_THREADS) as pool:
        for lo, text in zip(range(0, count, chunk), _in_order(pool, piece, range(0, count, chunk)),
                            strict=True):
            yield text[3:] if lo == 0 else text  # the first order closes no previous one
    if count:
        yield b"]}"


def _in_order(pool: ThreadPoolExecutor, work: Callable[[int], bytes], args: range) -> Iterator[bytes]:
    """``work`` of each argument, in order, at most :data:`AHEAD` submitted beyond the one
    being waited for."""
    pending: deque[Future[bytes]] = deque()
    for arg in args:
        pending.append(pool.submit(work, arg))
        if len(pending) > AHEAD:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _whole(values: I64, unit: int) -> I64:
    return values // unit if unit > 1 else values


def _order_chunk(plan: Plan, unit: int, keys: U8, lo: int, hi: int, period_width: int) -> bytes:
    orders, pegs = plan.orders, plan.pegging
    bounds = pegs.starts[lo : hi + 1]
    first, last = int(bounds[0]), int(bounds[-1])
    quantity = _whole(orders.quantity[lo:hi], unit)
    peg_quantity = _whole(pegs.quantity[first:last], unit)
    digits = max(width_for(quantity), width_for(peg_quantity))
    head = (Template().text(b']},{"sku":').slot("sku", keys.shape[1])
            .text(b',"quantity":').slot("quantity", digits)
            .text(b',"release_period":').slot("release", period_width)
            .text(b',"receipt_period":').slot("receipt", period_width).text(b',"pegging":['))
    peg = (Template().text(b'{"sku":').slot("sku", keys.shape[1])
           .text(b',"period":').slot("period", period_width)
           .text(b',"quantity":').slot("quantity", digits)
           .text(b',"source":').slot("source", _SOURCES.shape[1]))
    width = max(len(head.row), len(peg.row))
    heads = fill(head, hi - lo, width)
    put_choice(heads, head, "sku", keys, orders.item[lo:hi])
    put_number(heads, head, "quantity", quantity)
    put_number(heads, head, "release", orders.release[lo:hi] + 1)
    put_number(heads, head, "receipt", orders.receipt[lo:hi] + 1)
    rows = np.empty((hi - lo + last - first, width), dtype=np.uint8)
    per_order = np.diff(bounds)
    records(rows)[np.arange(hi - lo) + (bounds[:-1] - first)] = records(heads)
    if last > first:
        owner = np.repeat(np.arange(hi - lo), per_order)
        records(rows)[np.arange(last - first) + owner + 1] = records(_peg_rows(plan, peg, keys, width, first, last,
                                                                       peg_quantity, bounds))
    return compact(rows)


def _peg_rows(plan: Plan, peg: Template, keys: U8, width: int, first: int, last: int,
              quantity: I64, bounds: I64) -> U8:
    pegs = plan.pegging
    rows = fill(peg, last - first, width)
    put_choice(rows, peg, "sku", keys, pegs.sku_row[first:last])
    put_number(rows, peg, "period", pegs.period[first:last] + 1)
    put_number(rows, peg, "quantity", quantity)
    follows = np.ones(last - first, dtype=np.int64)
    follows[bounds[1:][np.diff(bounds) > 0] - 1 - first] = 0  # each order's last peg
    put_choice(rows, peg, "source", _SOURCES, pegs.from_parent[first:last] + 2 * follows)
    return rows
