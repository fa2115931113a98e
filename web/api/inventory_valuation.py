"""/api/v1/valuation and /api/v1/inventory/settings: stock value, COGS, the method."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import Parameter

from core.auth.login import Principal
from core.inventory.settings import get_inventory_settings, update_inventory_settings
from core.inventory.valuation_reports import cogs_report, valuation_report
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import set_fields, to_json
from web.api.inventory_common import instant, inv_get, inv_put
from web.auth import roles


class SettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    valuation_method: Literal["fifo", "moving_average"] | msgspec.UnsetType = msgspec.UNSET
    holding_rate_per_year: Decimal | msgspec.UnsetType = msgspec.UNSET


@inv_get("/inventory/settings")
def get_settings_route(principal: Principal) -> dict[str, Any]:
    """The valuation method (fifo or moving_average) and the yearly holding rate."""
    return to_json(get_inventory_settings(principal.tenant_id))


@inv_put("/inventory/settings", guards=[roles(TENANT_ADMINS)])
def put_settings_route(principal: Principal, data: SettingsIn) -> dict[str, Any]:
    """Change the settings (owner and admin). Switching method converts the stock held."""
    return to_json(update_inventory_settings(principal.tenant_id, set_fields(data), principal.user_id))


@inv_get("/valuation")
def valuation_route(principal: Principal, sku: str | None = None, as_of: str | None = None) -> dict[str, Any]:
    """Per item quantity, value and unit cost at ``as_of`` (default now), from the ledger."""
    return to_json(valuation_report(principal.tenant_id, sku, instant(as_of, "as_of", end_of_day=True)))


@inv_get("/valuation/cogs")
def cogs_route(
    principal: Principal,
    posted_from: Annotated[str | None, Parameter(query="from")] = None,
    posted_to: Annotated[str | None, Parameter(query="to")] = None,
    sku: str | None = None,
) -> dict[str, Any]:
    """Cost of goods sold (issues, less reversed issues, plus negative-stock variances) per
    item in the period, and the total."""
    report = cogs_report(principal.tenant_id, instant(posted_from, "from"),
                         instant(posted_to, "to", end_of_day=True), sku)
    return to_json(report)


handlers = [get_settings_route, put_settings_route, valuation_route, cogs_route]
