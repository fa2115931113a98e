"""Inventory reports: ABC classification, shrinkage and inventory KPIs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar.params import Parameter

from core.auth.login import Principal
from core.errors import InvalidInput
from core.inventory.abc import DEFAULT_A_SHARE, DEFAULT_B_SHARE, abc_report
from core.inventory.kpis import inventory_kpis
from core.inventory.shrinkage import shrinkage_report
from web.api.common import api_get, to_json

Period = Literal["day", "week", "month", "quarter", "year"]
AbcClass = Literal["A", "B", "C"]
# Text, parsed here: ``from`` is no Python name, and a bad date must be answered naming
# ``from``/``to`` (the query names), not the handler's parameter names.
From = Annotated[str | None, Parameter(query="from", description="first day (YYYY-MM-DD, UTC)")]
To = Annotated[str | None, Parameter(query="to", description="last day, included (YYYY-MM-DD, UTC)")]


def _day(value: str | None, field: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD), got {value!r}", field) from exc


@api_get("/abc")
def abc_route(
    principal: Principal,
    as_of: date | None = None,
    a_share: Decimal = DEFAULT_A_SHARE,
    b_share: Decimal = DEFAULT_B_SHARE,
    abc_class: AbcClass | None = None,
) -> dict[str, Any]:
    """Items classified A/B/C by annual usage value (issue cost over the 365 days ending
    ``as_of``, default today): A up to ``a_share`` of the value (0.80), B the next
    ``b_share`` (0.15), C the rest."""
    return to_json(abc_report(principal.tenant_id, as_of, a_share, b_share, abc_class))


@api_get("/reports/shrinkage")
def shrinkage_route(
    principal: Principal, start: From = None, end: To = None, period: Period = "month",
    sku: str | None = None,
) -> dict[str, Any]:
    """Quantity and value lost per period, item and reason: scrap and downward adjustments
    (count losses have reason ``count``), reversed moves left out."""
    return to_json(shrinkage_report(principal.tenant_id, _day(start, "from"), _day(end, "to"), period, sku))


@api_get("/kpis/inventory")
def inventory_kpis_route(principal: Principal, start: From = None, end: To = None,
                         sku: str | None = None) -> dict[str, Any]:
    """Turnover, days of inventory, carrying cost and stockout days per item for the
    period (``to`` is capped at today). Definitions: see the README."""
    return to_json(inventory_kpis(principal.tenant_id, _day(start, "from"), _day(end, "to"), sku))


handlers = [abc_route, shrinkage_route, inventory_kpis_route]
