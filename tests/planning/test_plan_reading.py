"""Reading bundles from JSON bytes: the typed fast path agrees with the careful one."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given

from core.planning import bundle_decode
from core.planning.bundle import parse_bundle
from core.planning.bundle_decode import read_bundle
from core.planning.errors import BundleError
from core.planning.plan_json import plan_json
from core.planning.planner import plan
from tests.planning.test_plan_properties import SETTINGS, bundles
from tests.planning.test_plan_spec_example import SPEC_BUNDLE


@SETTINGS
@given(bundles())
def test_reading_bytes_plans_as_parsing_the_dict(bundle: dict[str, Any]) -> None:
    """Whichever path reads it, a bundle gives the same plan."""
    expected = plan_json(plan(parse_bundle(bundle)))
    assert plan_json(plan(read_bundle(orjson.dumps(bundle)))) == expected


def test_a_plain_bundle_takes_the_typed_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def careful(raw: Any) -> Any:
        raise AssertionError("the careful path was taken")

    monkeypatch.setattr(bundle_decode, "parse_bundle", careful)
    bundle = read_bundle(orjson.dumps(SPEC_BUNDLE))
    assert plan_json(plan(bundle)) == plan_json(plan(parse_bundle(SPEC_BUNDLE)))


@pytest.mark.parametrize("change", [
    {"demand": None},
    {"demand": {"7": 5}},
    {"on_hand": "1"},
    {"on_hand": -1},
    {"lot_sizing": {"rule": "fixed", "quantity": 0}},
    {"lot_sizing": {"rule": "poq"}},
    {"sku": "table"},
    {"safety_stok": 1},
])
def test_errors_are_named_as_the_careful_path_names_them(change: dict[str, Any]) -> None:
    bundle = orjson.loads(orjson.dumps(SPEC_BUNDLE))
    bundle["items"][1].update(change)
    with pytest.raises(BundleError) as careful:
        parse_bundle(bundle)
    with pytest.raises(BundleError) as fast:
        read_bundle(orjson.dumps(bundle))
    assert str(fast.value) == str(careful.value)


def test_an_unknown_component_is_named() -> None:
    bundle = orjson.loads(orjson.dumps(SPEC_BUNDLE))
    bundle["bom"][0]["component"] = "chair"
    with pytest.raises(BundleError, match="chair"):
        read_bundle(orjson.dumps(bundle))


def test_invalid_json_is_refused_as_orjson_refuses_it() -> None:
    with pytest.raises(orjson.JSONDecodeError):
        read_bundle(b'{"periods": 6,')
