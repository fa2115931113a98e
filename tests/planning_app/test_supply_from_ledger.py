"""MRP reads on hand from the stock ledger: quarantined lots and what adjust_supply removes
are not supply, and open reservations are allocations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from core.hooks import hookimpl
from core.planning.mrp_input import SupplyRemoval
from core.plugins import PluginInfo, get_plugin_manager
from tests.planning_app.support import make_item, order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle


def _stock(tenant: TenantHandle, sku: str, lot: str, quantity: int) -> str:
    wh = tenant.get("/api/v1/locations").json()["items"]
    location = wh[0]["id"] if wh else tenant.post("/api/v1/locations", json={
        "code": "WH", "name": "Main", "kind": "warehouse"}).json()["id"]
    moved = tenant.post("/api/v1/stock-moves", json={
        "kind": "receipt", "sku": sku, "quantity": str(quantity), "to_location": location, "lot": lot,
        "idempotency_key": f"receive-{lot}"})
    assert moved.status_code == 201, moved.text
    return str(location)


def _planned(tenant: TenantHandle, run: dict[str, Any], sku: str) -> list[str]:
    rows = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders", params={"sku": sku}).json()["items"]
    return [o["quantity"] for o in rows]


def test_on_hand_reservations_and_quarantine(tenant: TenantHandle) -> None:
    make_item(tenant, "FLOUR", kind="buy", lead_time_days=5, tracking="lot")
    location = _stock(tenant, "FLOUR", "L1", 50)
    _stock(tenant, "FLOUR", "L2", 20)
    order(tenant, "SO-1", [("FLOUR", 100, 3)])
    assert _planned(tenant, run_mrp(tenant), "FLOUR") == ["30"]  # 100 − (50 + 20)
    held = tenant.post("/api/v1/reservations", json={"sku": "FLOUR", "location": location, "lot": "L2",
                                                     "quantity": "5"})
    assert held.status_code == 201, held.text
    assert _planned(tenant, run_mrp(tenant), "FLOUR") == ["35"]  # the reservation is allocated
    quarantined = tenant.patch("/api/v1/lots/L1", json={"status": "quarantine"})
    assert quarantined.status_code == 200, quarantined.text
    run = run_mrp(tenant)
    assert _planned(tenant, run, "FLOUR") == ["85"]  # lot L1 no longer counts
    assert any("L1" in note and "quarantine" in note for note in run["counts"]["notes"])


class ExpiresSoon:
    PLUGIN_INFO = PluginInfo("expires_soon", "test plugin")

    @hookimpl
    def adjust_supply(self, tenant_id: uuid.UUID, lots: list[Any], period_starts: list[Any],
                      session: Any) -> list[SupplyRemoval]:
        return [SupplyRemoval(lot.lot_id, f"lot {lot.lot_code} expires too soon")
                for lot in lots if lot.lot_code == "OLD"]


@pytest.fixture
def expires_soon(owner_engine: Any) -> Iterator[Any]:
    manager = get_plugin_manager()
    plugin = ExpiresSoon()
    manager.register(plugin, name="expires_soon")

    def enable(tenant: TenantHandle) -> None:
        with owner_engine.begin() as conn:
            conn.execute(text("INSERT INTO tenant_plugin (tenant_id, name) VALUES (:t, 'expires_soon')"),
                         {"t": tenant.tenant_id})
    yield enable
    manager.unregister(plugin)


def test_adjust_supply_removes_lots_only_for_enabled_tenants(
    expires_soon: Any, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    expires_soon(tenant)
    for who in (tenant, other_tenant):
        make_item(who, "MILK", kind="buy", lead_time_days=5, tracking="lot")
        _stock(who, "MILK", "OLD", 40)
        _stock(who, "MILK", "NEW", 10)
        order(who, "SO-1", [("MILK", 60, 3)])
    run = run_mrp(tenant)
    assert _planned(tenant, run, "MILK") == ["50"]
    assert "lot OLD expires too soon" in run["counts"]["notes"]
    assert _planned(other_tenant, run_mrp(other_tenant), "MILK") == ["10"]


def test_a_lot_past_its_date_is_no_supply_even_before_a_scan_marks_it(tenant: TenantHandle) -> None:
    make_item(tenant, "YEAST", kind="buy", lead_time_days=2, tracking="lot")
    location = _stock(tenant, "YEAST", "FRESH", 10)
    stale = tenant.post("/api/v1/stock-moves", json={
        "kind": "receipt", "sku": "YEAST", "quantity": "25", "to_location": location, "lot": "STALE",
        "expiry_date": str(date.today() - timedelta(days=3)), "idempotency_key": "receive-stale"})
    assert stale.status_code == 201, stale.text
    assert tenant.get("/api/v1/lots/STALE").json()["status"] == "available"  # nobody marked it
    order(tenant, "SO-9", [("YEAST", 30, 3)])
    run = run_mrp(tenant)
    assert _planned(tenant, run, "YEAST") == ["20"]  # 30 − 10: the stale 25 do not count
    assert any("STALE" in note and "expired on" in note for note in run["counts"]["notes"])
