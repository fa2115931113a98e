"""The NumPy row writer gives exactly the JSON text of a compact writer."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from core.planning.json_rows import Template, compact, fill, put_choice, put_number, table, width_for

INT64 = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
SMALL = st.integers(min_value=-20_000, max_value=20_000)
TEXTS = st.lists(st.text(max_size=6), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(INT64, SMALL), SMALL, st.integers(0, 4)), max_size=30),
       TEXTS)
def test_rows_are_compact_json(rows: list[tuple[int, int, int]], texts: list[str]) -> None:
    """Numbers of any size and sign, and table texts, come out as orjson writes them."""
    entries = table([orjson.dumps(t) for t in texts])
    big = np.array([r[0] for r in rows], dtype=np.int64)
    small = np.array([r[1] for r in rows], dtype=np.int64)
    pick = np.array([r[2] % len(texts) for r in rows], dtype=np.int64)
    template = (Template().text(b'{"a":').slot("a", width_for(big)).text(b',"b":[')
                .slot("b", width_for(small)).text(b'],"c":').slot("c", entries.shape[1])
                .text(b"},"))
    out = fill(template, len(rows), len(template.row) + 3)
    put_number(out, template, "a", big)
    put_number(out, template, "b", small)
    put_choice(out, template, "c", entries, pick)
    expected = b"".join(orjson.dumps({"a": a, "b": [b], "c": texts[c % len(texts)]}) + b","
                        for a, b, c in rows)
    assert compact(out) == expected


def test_width_counts_the_sign() -> None:
    """Room for the longest magnitude, plus one when a value is negative."""
    assert width_for(np.array([], dtype=np.int64)) == 1
    assert width_for(np.array([0, 9], dtype=np.int64)) == 1
    assert width_for(np.array([-9, 10], dtype=np.int64)) == 3
    assert width_for(np.array([-(2**63) + 1], dtype=np.int64)) == 20
