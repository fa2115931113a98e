"""The ledger's hooks: a plugin refuses moves, hears about posted ones and chooses lots —
only for tenants that enabled it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from core.hooks import hookimpl
from core.plugins import PluginInfo, get_plugin_manager
from tests.inventory.ledger_support import make_item, make_site, move, post_move
from tests.support import TenantHandle


class LedgerPlugin:
    """A throw-away plugin: no scrap without a reason, a log of posted moves, FEFO lots."""

    PLUGIN_INFO = PluginInfo("ledger_test", "test plugin")

    def __init__(self) -> None:
        self.posted: list[Any] = []

    @hookimpl
    def before_post_move(self, tenant_id: uuid.UUID, move: Any, session: Any) -> list[str]:
        if move.kind == "scrap" and not move.reason:
            return [f"scrapping {move.item.sku} needs a reason"]
        return []

    @hookimpl
    def after_post_move(self, tenant_id: uuid.UUID, move: Any, session: Any) -> None:
        self.posted.append(move)

    @hookimpl
    def choose_lots(self, tenant_id: uuid.UUID, item: Any, location: Any, quantity: Decimal,
                    candidates: list[Any], session: Any) -> list[tuple[uuid.UUID, Decimal]] | None:
        if item.sku != "MILK":
            return None
        left, chosen = quantity, []
        for lot in sorted(candidates, key=lambda c: c.expiry_date):  # first expiring first
            take = min(left, lot.available)
            if take > 0:
                chosen.append((lot.lot_id, take))
                left -= take
        return chosen


@pytest.fixture
def plugin(tenant: TenantHandle, owner_engine: Any) -> Iterator[LedgerPlugin]:
    instance = LedgerPlugin()
    manager = get_plugin_manager()
    manager.register(instance, name="ledger_test")
    with owner_engine.begin() as conn:
        conn.execute(text("INSERT INTO tenant_plugin (tenant_id, name) VALUES (:t, 'ledger_test')"),
                     {"t": tenant.tenant_id})
    yield instance
    manager.unregister(instance)


def test_a_plugin_refuses_a_move_with_409(tenant: TenantHandle, other_tenant: TenantHandle,
                                           plugin: LedgerPlugin) -> None:
    for handle in (tenant, other_tenant):
        make_site(handle)
        make_item(handle, "BOLT")
        move(handle, kind="receipt", sku="BOLT", quantity="5", to_location="B1")
    refused = post_move(tenant, kind="scrap", sku="BOLT", quantity="1", from_location="B1")
    assert refused.status_code == 409 and refused.json()["field"] == "move"
    assert "needs a reason" in refused.json()["detail"]
    move(tenant, kind="scrap", sku="BOLT", quantity="1", from_location="B1", reason="broken")
    # the other tenant did not enable the plugin
    move(other_tenant, kind="scrap", sku="BOLT", quantity="1", from_location="B1")
    assert [(m.kind, m.quantity) for m in plugin.posted] == [("receipt", Decimal(5)), ("scrap", Decimal(1))]


def test_choose_lots_decides_which_lots_an_issue_takes(tenant: TenantHandle, plugin: LedgerPlugin) -> None:
    make_site(tenant)
    make_item(tenant, "MILK", tracking="lot")
    move(tenant, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="LATE", expiry_date="2031-06-01")
    move(tenant, kind="receipt", sku="MILK", quantity="5", to_location="B1", lot="SOON", expiry_date="2031-01-01")
    posted = move(tenant, kind="issue", sku="MILK", quantity="6", from_location="B1")
    assert [(m["lot_code"], m["quantity"]) for m in posted["moves"]] == [("SOON", "5"), ("LATE", "1")]
    reservation = tenant.post("/api/v1/reservations", json={"sku": "MILK", "location": "B1", "quantity": "2"})
    assert reservation.status_code == 201 and reservation.json()["lot_code"] == "LATE"
