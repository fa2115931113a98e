"""Use cases around a tenant's plugins: list with their state, enable, disable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core import db
from core.plugins import enabled_plugins, installed_plugins, set_enabled


@dataclass(frozen=True)
class PluginState:
    name: str
    description: str
    enabled: bool


def list_plugin_states(tenant_id: uuid.UUID) -> list[PluginState]:
    """Every installed plugin and whether the tenant has it on."""
    with db.tenant_session(tenant_id) as session:
        on = enabled_plugins(session, tenant_id)
    return [PluginState(n, i.description, n in on) for n, i in installed_plugins().items()]


def change_plugin(tenant_id: uuid.UUID, user_id: uuid.UUID, name: str, enabled: bool) -> PluginState:
    """Enable or disable one plugin for the tenant; 404 for an unknown name."""
    with db.tenant_session(tenant_id, user_id) as session:
        set_enabled(session, tenant_id, name, enabled, user_id)
    info = installed_plugins()[name]
    return PluginState(name, info.description, enabled)
