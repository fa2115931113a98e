"""The plugin manager: discovery by entry point, per-tenant enablement, tenant-scoped calls.

Plugins are registered once per process. A hook that concerns tenant data is called
through :func:`call_hook`, which leaves out every plugin the tenant has not enabled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import hooks
from core.billing.entitlements import check_can_enable_plugin
from core.errors import NotFound
from core.tenancy.models import TenantPlugin

ENTRY_POINT_GROUP = "plantops.plugins"


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin module declares about itself as ``PLUGIN_INFO``."""

    name: str
    description: str
    # The trade's name for demo tenants and menus ("Food", "Lab"); defaults to the name.
    title: str = ""
    # Menu entries (label, page path) shown to tenants that enabled the plugin.
    nav: tuple[tuple[str, str], ...] = ()


_manager: pluggy.PluginManager | None = None


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide manager; the first call loads entry points and checks them."""
    global _manager
    if _manager is None:
        manager = pluggy.PluginManager(hooks.PROJECT)
        manager.add_hookspecs(hooks)
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        # A misspelled hookimpl fails here, at start-up, not in production.
        manager.check_pending()
        _manager = manager
    return _manager


def installed_plugins() -> dict[str, PluginInfo]:
    """Every registered plugin by name, with its description."""
    manager = get_plugin_manager()
    found: dict[str, PluginInfo] = {}
    for name, plugin in manager.list_name_plugin():
        info = getattr(plugin, "PLUGIN_INFO", None)
        if isinstance(plugin, ModuleType) and isinstance(info, PluginInfo):
            found[name] = info
    return dict(sorted(found.items()))


_ENABLED = "enabled_plugins"  # session.info key: (tenant, transaction, names)


def enabled_plugins(session: Session, tenant_id: uuid.UUID) -> set[str]:
    """Names of the plugins ``tenant_id`` has enabled.

    Read once per transaction: a posting asks before and after it writes, and each
    query through the session costs ~0.3 ms of Python (see :func:`remember_enabled`).
    """
    known = session.info.get(_ENABLED)
    if known is not None and known[0] == tenant_id and known[1] is session.get_transaction():
        return set(known[2])
    names = set(session.scalars(select(TenantPlugin.name).where(TenantPlugin.tenant_id == tenant_id)))
    remember_enabled(session, tenant_id, names)
    return names


def remember_enabled(session: Session, tenant_id: uuid.UUID, names: set[str]) -> None:
    """Record ``names`` as the tenant's enabled plugins for the session's current transaction
    (for a caller that read them in a query of its own, such as the posting's first one)."""
    session.info[_ENABLED] = (tenant_id, session.get_transaction(), frozenset(names))


def set_enabled(
    session: Session, tenant_id: uuid.UUID, name: str, enabled: bool, user_id: uuid.UUID | None
) -> None:
    """Enable or disable ``name`` for the tenant; 404 for a plugin that is not installed."""
    if name not in installed_plugins():
        raise NotFound(f"no plugin named {name!r}", "name")
    present = name in enabled_plugins(session, tenant_id)
    session.info.pop(_ENABLED, None)  # changed below (and a savepoint may roll it back)
    if enabled and not present:
        check_can_enable_plugin(session, tenant_id)
        session.add(TenantPlugin(tenant_id=tenant_id, name=name, enabled_by=user_id))
        session.flush()
        call_hook(session, tenant_id, "plugin_enabled", tenant_id=tenant_id, session=session,
                  only=name)
    elif not enabled and present:
        # Through the ORM (not a bulk DELETE) so the audit log sees the row go.
        row = session.get(TenantPlugin, (tenant_id, name))
        if row is not None:
            session.delete(row)


def call_hook(
    session: Session, for_tenant: uuid.UUID, hook_name: str, /, only: str | None = None,
    **kwargs: Any,
) -> list[Any]:
    """Call ``hook_name`` on ``for_tenant``'s enabled plugins only; return their answers.

    ``only`` restricts the call to one plugin (e.g. the one being enabled).
    """
    if not implementers(hook_name):
        return []  # nobody implements it: spare the query for enabled plugins
    result = _call_among({only} if only else enabled_plugins(session, for_tenant), hook_name, kwargs)
    return list(result) if isinstance(result, list) else [result]


def call_first_hook(session: Session, for_tenant: uuid.UUID, hook_name: str, /, **kwargs: Any) -> Any:
    """Call a ``firstresult`` hook on ``for_tenant``'s enabled plugins only.

    Returns the first non-``None`` answer, or ``None`` when no enabled plugin answered
    (the caller then applies its default).
    """
    if not implementers(hook_name):
        return None
    return _call_among(enabled_plugins(session, for_tenant), hook_name, kwargs)


def call_plugin(name: str, hook_name: str, /, **kwargs: Any) -> Any:
    """Call ``hook_name`` on the one plugin ``name``, whatever any tenant enabled (for
    process-level work such as seeding that plugin's own demo tenant)."""
    return _call_among({name}, hook_name, kwargs)


def implementers(hook_name: str) -> frozenset[str]:
    """Names of the registered plugins that implement ``hook_name``."""
    manager = get_plugin_manager()
    impls = getattr(manager.hook, hook_name).get_hookimpls()
    # Asked on every posting: remembered until the hook's implementations change.
    known = _implementers.get(hook_name)
    if known is not None and known[0] == impls:
        return known[1]
    names = frozenset(name for name in (manager.get_name(impl.plugin) for impl in impls) if name)
    _implementers[hook_name] = (impls, names)
    return names


_implementers: dict[str, tuple[list[Any], frozenset[str]]] = {}


def _call_among(wanted: set[str], hook_name: str, kwargs: dict[str, Any]) -> Any:
    manager = get_plugin_manager()
    excluded = [p for n, p in manager.list_name_plugin() if n not in wanted]
    return manager.subset_hook_caller(hook_name, remove_plugins=excluded)(**kwargs)
