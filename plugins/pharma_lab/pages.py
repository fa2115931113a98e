"""Lab pages (filled in below)."""

from __future__ import annotations

from typing import Any

handlers: list[Any] = []
