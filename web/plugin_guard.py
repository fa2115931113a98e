"""The guard every plugin route carries: the calling tenant must have enabled the plugin."""

from __future__ import annotations

import uuid

import anyio
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from core import db
from core.plugins import enabled_plugins
from web.auth import current_principal


def _enabled(tenant_id: uuid.UUID, name: str) -> bool:
    with db.tenant_session(tenant_id) as session:
        return name in enabled_plugins(session, tenant_id)


def plugin_required(name: str) -> Guard:
    """A guard that answers 403 "the <name> plugin is not enabled" for other tenants."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if not await anyio.to_thread.run_sync(_enabled, principal.tenant_id, name):
            raise PermissionDeniedException(
                f"the {name} plugin is not enabled for this tenant; an owner or admin can enable "
                "it on the Plugins page")

    return guard
