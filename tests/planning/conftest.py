"""Fixtures for the planning engine tests: pure, no database, no Redis."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from core.planning.bundle import parse_bundle
from core.planning.cli import plan_command
from core.planning.plan_json import plan_json
from core.planning.planner import plan

Bundle = dict[str, Any]


@pytest.fixture
def planned() -> Callable[[Bundle], dict[str, Any]]:
    """Plan a bundle dict and return the output as parsed JSON."""

    def run(bundle: Bundle) -> dict[str, Any]:
        return orjson.loads(plan_json(plan(parse_bundle(bundle))))

    return run


@pytest.fixture
def command(tmp_path: Any) -> Callable[[Any], tuple[int, str, str]]:
    """Run ``plan_command`` on a bundle (dict, or raw text) written to a file."""

    def run(bundle: Any) -> tuple[int, str, str]:
        path = tmp_path / "bundle.json"
        path.write_bytes(bundle.encode() if isinstance(bundle, str) else orjson.dumps(bundle))
        out, err = io.StringIO(), io.StringIO()
        status = plan_command(str(path), out, err)
        return status, out.getvalue(), err.getvalue()

    return run
