"""The valuation arithmetic alone, on exact decimals."""

from __future__ import annotations

import uuid
from decimal import Decimal as D

from core.inventory.valuation_math import Layer, Position, Take, average_in, average_out, fifo_in, fifo_out, money

A, B = uuid.uuid4(), uuid.uuid4()


def test_fifo_takes_oldest_layers_first_and_clears_without_dust() -> None:
    layers = [Layer(A, D(3), D(10), D("3.333333")), Layer(B, D(10), D(200), D(20))]
    out = fifo_out(Position(D(13), D(210)), layers, D(4), fallback=D(1))
    assert out.takes == [Take(A, D(3), D(10)), Take(B, D(1), D(20))]  # the whole layer A: exactly 10
    assert out.cost == D(30) and out.after == Position(D(9), D(180), D(20))


def test_fifo_beyond_the_layers_uses_the_last_cost() -> None:
    out = fifo_out(Position(D(2), D(20)), [Layer(A, D(2), D(20), D(10))], D(5), fallback=D(1))
    assert out.cost == D(50) and out.after.quantity == -3 and out.after.value == -30


def test_inbound_settles_a_negative_position_first() -> None:
    settled = fifo_in(Position(D(-3), D(-30), D(10)), D(5), D(60))
    assert settled.variance == D(6) and settled.new_layer == (D(2), D(24))
    assert settled.after == Position(D(2), D(24), D(12))
    partly = average_in(Position(D(-4), D(-40), D(10)), D(2), D(30))
    assert partly.after.quantity == -2 and partly.after.value == -20 and partly.variance == D(10)


def test_restoring_a_reversed_issue_gives_back_the_same_layers() -> None:
    takes = [Take(A, D(10), D(100)), Take(B, D(5), D(100))]
    back = fifo_in(Position(D(5), D(100)), D(15), D(200), restore=takes)
    assert back.takes == takes and back.new_layer is None and back.after.value == D(300)


def test_moving_average_splits_value_exactly() -> None:
    out = average_out(Position(D(3), D(10)), D(1), fallback=D(0))
    assert out.cost == D("3.333333") and out.after.value == D("6.666667")
    rest = average_out(out.after, D(2), fallback=D(0))
    assert rest.cost == D("6.666667") and rest.after == Position(D(0), D(0), D("3.333334"))
    assert money(D("0.0000005")) == D(0) and money(D("0.0000015")) == D("0.000002")
