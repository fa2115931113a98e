"""The plan that posts a count's serial differences: pure, so each rule is one small case."""

from __future__ import annotations

import uuid

from core.inventory.count_serial_moves import SerialLine, SerialMove, plan_moves

Shape = tuple[str, tuple[str, ...], uuid.UUID | None, uuid.UUID | None, str]

ITEM, B1, B2, WH2 = (uuid.uuid4() for _ in range(4))


def _line(location: uuid.UUID, missing: tuple[str, ...] = (), found: tuple[str, ...] = ()) -> SerialLine:
    return SerialLine(uuid.uuid4(), ITEM, location, missing, found)


def _shape(moves: list[SerialMove]) -> list[Shape]:
    return [(m.kind, m.serials, m.from_location_id, m.to_location_id, m.key_suffix) for m in moves]


def test_missing_out_found_in_and_misplaced_transferred() -> None:
    line = _line(B1, missing=("S3",), found=("S4", "S9", "S5"))
    where = {(ITEM, "S3"): B1, (ITEM, "S4"): B2, (ITEM, "S5"): WH2, (ITEM, "S9"): None}
    moves = _shape(plan_moves([line], where))
    # One transfer per location the book has found units at, then the loss, then the gain.
    assert set(moves[:2]) == {("transfer", ("S4",), B2, B1, f"from:{B2}"),
                              ("transfer", ("S5",), WH2, B1, f"from:{WH2}")}
    assert moves[2:] == [("adjustment", ("S3",), B1, None, "out"), ("adjustment", ("S9",), None, B1, "in")]


def test_a_unit_found_on_another_line_is_one_transfer_not_a_loss_and_a_gain() -> None:
    here, there = _line(B1, found=("S4",)), _line(B2, missing=("S4",))
    for lines in ([here, there], [there, here]):
        assert _shape(plan_moves(lines, {(ITEM, "S4"): B2})) == [("transfer", ("S4",), B2, B1, f"from:{B2}")]


def test_serials_that_moved_since_counting_need_nothing() -> None:
    # S3 was missing but has left B1 since; S4 was found and has been brought to B1 since.
    line = _line(B1, missing=("S3",), found=("S4",))
    assert plan_moves([line], {(ITEM, "S3"): None, (ITEM, "S4"): B1}) == []
    assert plan_moves([_line(B1, missing=("S3",))], {(ITEM, "S3"): B2}) == []


def test_moves_carry_their_sign() -> None:
    line = _line(B1, missing=("S1",), found=("S2", "S3"))
    moves = plan_moves([line], {(ITEM, "S1"): B1, (ITEM, "S2"): B2})
    assert [m.sign for m in moves] == [0, -1, 1]
