"""Plugins: listed from entry points, enabled per tenant by owner/admin, called only when on."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from core.hooks import hookimpl
from core.plugins import PluginInfo, get_plugin_manager
from tests.support import TenantHandle

SIX = {"food_fifo", "pharma_lab", "automotive_apqp", "construction", "network_assets", "vmi"}


def test_six_plugins_listed_with_descriptions(tenant: TenantHandle) -> None:
    items = tenant.get("/api/v1/plugins").json()["items"]
    assert {p["name"] for p in items} == SIX
    assert all(p["description"] and p["enabled"] is False for p in items)


def test_enable_and_disable_per_tenant(tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    on = tenant.post("/api/v1/plugins/food_fifo/enable")
    assert on.status_code == 200 and on.json()["enabled"] is True
    mine = {p["name"]: p["enabled"] for p in tenant.get("/api/v1/plugins").json()["items"]}
    theirs = {p["name"]: p["enabled"] for p in other_tenant.get("/api/v1/plugins").json()["items"]}
    assert mine["food_fifo"] is True and theirs["food_fifo"] is False
    assert tenant.post("/api/v1/plugins/food_fifo/enable").status_code == 200  # idempotent
    off = tenant.post("/api/v1/plugins/food_fifo/disable")
    assert off.status_code == 200 and off.json()["enabled"] is False
    assert tenant.post("/api/v1/plugins/nonesuch/enable").status_code == 404


def test_only_owner_and_admin_may_enable(tenant: TenantHandle, owner_engine: Any) -> None:
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE membership SET role = 'planner' WHERE user_id = :u"),
                     {"u": tenant.user_id})
    answer = tenant.post("/api/v1/plugins/vmi/enable")
    assert answer.status_code == 403
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE membership SET role = 'admin' WHERE user_id = :u"),
                     {"u": tenant.user_id})
    assert tenant.post("/api/v1/plugins/vmi/enable").status_code == 200


class RefuseRedItems:
    """A throw-away plugin: refuses items named 'red…' for tenants that enabled it."""

    PLUGIN_INFO = PluginInfo("refuse_red", "test plugin")

    @hookimpl
    def validate_item(self, tenant_id: uuid.UUID, fields: dict[str, Any], session: Any) -> list[tuple[str, str]]:
        if str(fields.get("name", "")).lower().startswith("red"):
            return [("name", "red items are not allowed here")]
        return []


def test_hook_called_only_for_tenants_that_enabled_the_plugin(
    tenant: TenantHandle, other_tenant: TenantHandle, owner_engine: Any
) -> None:
    manager = get_plugin_manager()
    plugin = RefuseRedItems()
    manager.register(plugin, name="refuse_red")
    try:
        with owner_engine.begin() as conn:
            conn.execute(text("INSERT INTO tenant_plugin (tenant_id, name) VALUES (:t, 'refuse_red')"),
                         {"t": tenant.tenant_id})
        refused = tenant.post("/api/v1/items", json={"sku": "R1", "name": "Red paint"})
        assert refused.status_code == 422 and refused.json()["field"] == "name"
        assert "red items" in refused.json()["detail"]
        allowed = other_tenant.post("/api/v1/items", json={"sku": "R1", "name": "Red paint"})
        assert allowed.status_code == 201
    finally:
        manager.unregister(plugin)


def test_check_pending_rejects_a_misspelled_hook() -> None:
    import pluggy
    import pytest

    from core import hooks

    class Misspelled:
        @hookimpl
        def validate_itme(self) -> None:  # the typo a start-up check must catch
            return None

    manager = pluggy.PluginManager(hooks.PROJECT)
    manager.add_hookspecs(hooks)
    manager.register(Misspelled())
    with pytest.raises(pluggy.PluginValidationError):
        manager.check_pending()


def test_every_hookspec_is_documented() -> None:
    import inspect

    from core import hooks

    specs = [f for n, f in vars(hooks).items()
             if inspect.isfunction(f) and hasattr(f, "plantops_spec")]
    assert len(specs) >= 3
    for spec in specs:
        doc = inspect.getdoc(spec) or ""
        assert "called" in doc.lower() and len(doc) > 80, f"{spec.__name__} needs a real docstring"
