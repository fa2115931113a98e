"""``plantops plan BUNDLE.json``: plan a bundle file (or ``-`` for stdin) to JSON."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import orjson

from core.planning.bundle import parse_bundle
from core.planning.errors import BundleError
from core.planning.plan_output import render_plan
from core.planning.planner import plan

EXIT_OK, EXIT_BAD_BUNDLE = 0, 2


def plan_command(path: str, out: TextIO, err: TextIO) -> int:
    """Read a bundle, plan it, write the plan as JSON to ``out``; return the exit status.

    A bundle that cannot be read or breaks a rule gives status 2 and one line
    on ``err`` naming the item, field and value; nothing is written to ``out``.
    """
    try:
        raw = _read(path)
        result = plan(parse_bundle(orjson.loads(raw)))
    except BundleError as exc:
        print(f"plantops plan: {exc}", file=err)
        return EXIT_BAD_BUNDLE
    except orjson.JSONDecodeError as exc:
        print(f"plantops plan: {path}: not valid JSON: {exc}", file=err)
        return EXIT_BAD_BUNDLE
    except OSError as exc:
        print(f"plantops plan: {path}: {exc.strerror or exc}", file=err)
        return EXIT_BAD_BUNDLE
    _write(render_plan(result, numpy_rows=True), out)
    return EXIT_OK


def dumps_plan(output: dict[str, Any]) -> bytes:
    """The output dict as JSON bytes (NumPy rows and Decimals included), newline-ended."""
    return orjson.dumps(output, default=_exact, option=orjson.OPT_SERIALIZE_NUMPY
                        | orjson.OPT_APPEND_NEWLINE)


def _exact(value: Any) -> Any:
    # A Decimal that no float prints exactly goes out as its own digits.
    return orjson.Fragment(format(value, "f"))


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def _write(output: dict[str, Any], out: TextIO) -> None:
    data = dumps_plan(output)
    buffer = getattr(out, "buffer", None)
    if buffer is not None:  # a real stream: skip decoding hundreds of megabytes
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode())
