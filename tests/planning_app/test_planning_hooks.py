"""Plugins taking part in planning: before_release (APQP-style gate) and plan_item (VMI-style
proposal), called only for tenants that enabled the plugin."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from core.hooks import hookimpl
from core.plugins import PluginInfo, get_plugin_manager
from tests.planning_app.support import make_item, order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle


class GateAndSupplier:
    PLUGIN_INFO = PluginInfo("gate_and_supplier", "test plugin")

    @hookimpl
    def before_release(self, tenant_id: uuid.UUID, sku: str, kind: str, quantity: Any, due_date: Any,
                       session: Any) -> list[str]:
        return ["PPAP not approved"] if sku.startswith("GATED") else []

    @hookimpl
    def plan_item(self, tenant_id: uuid.UUID, sku: str, orders: list[dict[str, Any]],
                  session: Any) -> tuple[str, list[dict[str, Any]]] | None:
        if not sku.startswith("VMI"):
            return None
        total = sum(o["quantity"] for o in orders)
        first = orders[0]
        return "supplier", [{**first, "quantity": total}]  # one consolidated replenishment


@pytest.fixture
def plugin(owner_engine: Any) -> Iterator[Any]:
    manager = get_plugin_manager()
    instance = GateAndSupplier()
    manager.register(instance, name="gate_and_supplier")
    yield lambda tenant: _enable(owner_engine, tenant)
    manager.unregister(instance)


def _enable(owner_engine: Any, tenant: TenantHandle) -> None:
    with owner_engine.begin() as conn:
        conn.execute(text("INSERT INTO tenant_plugin (tenant_id, name) VALUES (:t, 'gate_and_supplier')"),
                     {"t": tenant.tenant_id})


def test_before_release_blocks_firming_only_where_enabled(
    plugin: Any, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    plugin(tenant)
    for who in (tenant, other_tenant):
        make_item(who, "GATED-1", kind="make", lead_time_days=5)
        order(who, "SO-1", [("GATED-1", 10, 3)])
    run = run_mrp(tenant)
    target = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders").json()["items"][0]
    refused = tenant.post(f"/api/v1/mrp/planned-orders/{target['id']}/firm")
    assert refused.status_code == 409 and "PPAP not approved" in refused.json()["detail"]
    again = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders").json()["items"][0]
    assert again["status"] == "planned"
    other_run = run_mrp(other_tenant)
    theirs = other_tenant.get(f"/api/v1/mrp/runs/{other_run['id']}/planned-orders").json()["items"][0]
    assert other_tenant.post(f"/api/v1/mrp/planned-orders/{theirs['id']}/firm").status_code == 200


def test_plan_item_replaces_planned_purchases(plugin: Any, tenant: TenantHandle) -> None:
    plugin(tenant)
    make_item(tenant, "VMI-GLUE", kind="buy", lead_time_days=5)
    make_item(tenant, "OWN-PAINT", kind="buy", lead_time_days=5)
    order(tenant, "SO-1", [("VMI-GLUE", 10, 3), ("VMI-GLUE", 5, 5), ("OWN-PAINT", 4, 3), ("OWN-PAINT", 6, 5)])
    run = run_mrp(tenant)
    orders = tenant.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders").json()["items"]
    glue = [(o["quantity"], o["source"]) for o in orders if o["sku"] == "VMI-GLUE"]
    paint = [(o["quantity"], o["source"]) for o in orders if o["sku"] == "OWN-PAINT"]
    assert glue == [("15", "supplier")]
    assert sorted(paint) == [("4", "mrp"), ("6", "mrp")]
