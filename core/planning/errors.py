"""The one error a bundle can raise: it names the item, the field and the value."""

from __future__ import annotations

from typing import Any

import orjson


def show_value(value: Any) -> str:
    """Render ``value`` as JSON (strings quoted) so a message shows it as written."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return repr(value)


class BundleError(ValueError):
    """A plan bundle breaks a rule of plan-bundle.md.

    The message reads ``item "leg": field "lead_time": value -1 is negative``;
    ``item`` is None for top-level fields, which are shown as ``bundle``.
    """

    def __init__(self, item: str | None, field: str, value: Any, problem: str) -> None:
        where = "bundle" if item is None else f"item {show_value(item)}"
        super().__init__(f"{where}: field {show_value(field)}: value {show_value(value)} {problem}")
        self.item = item
        self.field = field
        self.value = value
        self.problem = problem
