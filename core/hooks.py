"""THE plugin contract: every hook a plantops plugin may implement.

A plugin is a module registered under the entry-point group ``plantops.plugins``. It
declares ``PLUGIN_INFO = PluginInfo(name, description)`` and implements any of the
hooks below with ``@hookimpl``. Unless a hook says otherwise it is called only for
tenants that enabled the plugin (through :func:`core.plugins.call_hook`), inside the
caller's transaction, so whatever a plugin writes commits or rolls back with it.

Hooks that return lists: every enabled plugin's answer counts (pluggy collects them).
Hooks marked ``firstresult``: the first non-``None`` answer wins.
"""

from __future__ import annotations

import uuid
from typing import Any

import pluggy

PROJECT = "plantops"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_routes() -> list[Any]:
    """Called once per process when the web app is built, for every installed plugin.

    Return Litestar route handlers or routers to mount (a plugin's own routes live
    under ``/api/v1/<plugin>/`` and ``/app/<plugin>/``). The routes exist for every
    tenant; they must refuse tenants that have not enabled the plugin (the web layer
    offers a guard for that).
    """


@hookspec
def validate_item(tenant_id: uuid.UUID, fields: dict[str, Any], session: Any) -> list[tuple[str, str]]:
    """Called before an item is created or updated, with the checked fields to be saved.

    ``fields`` holds every field on create and the changed ones on update (always
    ``sku``). Return a list of ``(field, message)`` refusals; an empty list or ``None``
    accepts. The first refusal is shown to the user as a 422 naming the field, and
    nothing is saved.
    """


@hookspec
def plugin_enabled(tenant_id: uuid.UUID, session: Any) -> None:
    """Called once when a tenant enables this plugin, inside that transaction.

    Use it to create the plugin's default settings rows for the tenant. Only the
    plugin being enabled is called. The return value is ignored.
    """
