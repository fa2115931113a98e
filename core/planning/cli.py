"""``plantops plan BUNDLE.json``: plan a bundle file (or ``-`` for stdin) to JSON."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from typing import TextIO

import orjson

from core.planning.batch_memory import tune_for_one_big_plan
from core.planning.bundle_decode import read_bundle
from core.planning.errors import BundleError
from core.planning.plan_json import plan_json_chunks
from core.planning.planner import plan

EXIT_OK, EXIT_BAD_BUNDLE = 0, 2


def plan_command(path: str, out: TextIO, err: TextIO) -> int:
    """Read a bundle, plan it, write the plan as JSON to ``out``; return the exit status.

    A bundle that cannot be read or breaks a rule gives status 2 and one line
    on ``err`` naming the item, field and value; nothing is written to ``out``.
    """
    tune_for_one_big_plan()
    collecting = gc.isenabled()
    # The parsed JSON is a large, acyclic tree: cyclic GC passes over it only cost time.
    gc.disable()
    try:
        return _plan_to(path, out, err)
    finally:
        if collecting:
            gc.enable()


def _plan_to(path: str, out: TextIO, err: TextIO) -> int:
    try:
        raw = _read(path)
        result = plan(read_bundle(raw))
        _ = result.pegging  # computed here, so that a failure writes nothing to out
    except BundleError as exc:
        print(f"plantops plan: {exc}", file=err)
        return EXIT_BAD_BUNDLE
    except orjson.JSONDecodeError as exc:
        print(f"plantops plan: {path}: not valid JSON: {exc}", file=err)
        return EXIT_BAD_BUNDLE
    except OverflowError as exc:  # totals beyond exact 64-bit arithmetic
        print(f"plantops plan: {path}: {exc}", file=err)
        return EXIT_BAD_BUNDLE
    except OSError as exc:
        print(f"plantops plan: {path}: {exc.strerror or exc}", file=err)
        return EXIT_BAD_BUNDLE
    _write(plan_json_chunks(result), out)
    return EXIT_OK


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def _write(chunks: Iterable[bytes], out: TextIO) -> None:
    buffer = getattr(out, "buffer", None)
    if buffer is not None:  # a real stream: skip decoding hundreds of megabytes
        out.flush()
        for chunk in chunks:
            buffer.write(chunk)
        buffer.flush()
    else:
        for chunk in chunks:
            out.write(chunk.decode())
