"""The one inventory error that carries more than a message: not enough stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.errors import Conflict


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


class InsufficientStock(Conflict):
    """A move or reservation would take more than is available (409).

    ``details`` names the item, the location, the lot (or None), and the available and
    requested quantities; the API puts them in the answer beside the message.
    """

    def __init__(self, sku: str, location: str, lot: str | None, available: Decimal,
                 requested: Decimal) -> None:
        where = f"{location}, lot {lot}" if lot else location
        super().__init__(
            f"not enough {sku} at {where}: available {_plain(available)}, requested {_plain(requested)}",
            "quantity",
        )
        self.details: dict[str, Any] = {
            "item": sku, "location": location, "lot": lot,
            "available": _plain(available), "requested": _plain(requested),
        }
