"""The Litestar app factory: API under /api/v1, pages, static assets, OpenAPI at /schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core import db
from core.auth.login import Principal
from core.config import get_settings
from core.errors import DomainError
from core.plugins import enabled_plugins, get_plugin_manager, installed_plugins
from web.api import (
    api_key_routes,
    audit_routes,
    auth_routes,
    billing_routes,
    health,
    inventory_lots,
    inventory_moves,
    inventory_reservations,
    inventory_stock,
    inventory_valuation,
    items,
    locations,
    mrp,
    planning,
    sso_routes,
    team_routes,
    tenant_routes,
)
from web.api import counts as count_routes
from web.api import inventory_reports as inventory_report_routes
from web.api import scan as scan_routes
from web.auth import LoginRequired, api_principal, page_principal, provide_principal
from web.errors import domain_error, http_error, login_required, validation_error
from web.middleware import request_id_middleware
from web.pages import audit_pages, auth_pages, billing_pages, catalog_pages, planning_pages, sso_pages, team_pages
from web.pages import inventory_count_pages as count_pages
from web.pages import inventory_pages as stock_pages
from web.pages.common import quantity_text

WEB = Path(__file__).resolve().parent
principal = {"principal": Provide(provide_principal, sync_to_thread=False)}


def _configure_jinja(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["qty"] = quantity_text
    engine.engine.globals["plugin_nav"] = plugin_nav


def plugin_nav(principal: Principal | None) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Menu groups (title, entries) of the plugins the principal's tenant enabled."""
    if principal is None:
        return []
    with db.tenant_session(principal.tenant_id) as session:
        enabled = enabled_plugins(session, principal.tenant_id)
    return [(info.title or name, info.nav) for name, info in installed_plugins().items()
            if name in enabled and info.nav]


def plugin_routes(hook_name: str = "register_routes") -> list[Any]:
    """Handlers that installed plugins contribute through ``register_routes`` (API) or
    ``register_pages`` (HTML)."""
    found: list[Any] = []
    for routes in getattr(get_plugin_manager().hook, hook_name)():
        found.extend(routes or [])
    return found


def template_directories() -> list[Path | os.PathLike[Any] | str]:
    """The core templates, then each installed plugin's own ``templates`` folder."""
    found: list[Path | os.PathLike[Any] | str] = [WEB / "templates"]
    for _, plugin in get_plugin_manager().list_name_plugin():
        folder = Path(getattr(plugin, "__file__", "") or ".").parent / "templates"
        if getattr(plugin, "__file__", None) and folder.is_dir():
            found.append(folder)
    return found


def create_app() -> Litestar:
    """Build the application; the database and broker must already be configured."""
    settings = get_settings()
    api = Router(
        path="/api/v1",
        route_handlers=[auth_routes.me_route, *items.handlers, *locations.handlers,
                        *tenant_routes.handlers, *team_routes.handlers, *audit_routes.handlers,
                        *api_key_routes.handlers, *billing_routes.handlers, *sso_routes.handlers,
                        *planning.handlers, *mrp.handlers,
                        *inventory_moves.handlers, *inventory_stock.handlers, *inventory_lots.handlers,
                        *inventory_reservations.handlers, *inventory_valuation.handlers,
                        *count_routes.handlers, *inventory_report_routes.handlers, *scan_routes.handlers,
                        *plugin_routes()],
        guards=[api_principal], dependencies=principal, security=[{"bearer": []}, {"apiKey": []}],
    )
    pages = Router(path="/", route_handlers=[*catalog_pages.handlers, *team_pages.handlers,
                                             *audit_pages.handlers, *billing_pages.handlers,
                                             *stock_pages.handlers, *count_pages.handlers,
                                             *planning_pages.handlers, *plugin_routes("register_pages")],
                   guards=[page_principal], dependencies=principal)
    return Litestar(
        debug=os.environ.get("PLANTOPS_DEBUG") == "1",
        route_handlers=[
            auth_routes.public_router, team_routes.public_router, billing_routes.public_router,
            api, pages,
            Router(path="/", route_handlers=[*auth_pages.handlers, *team_pages.public_handlers, *sso_pages.handlers,
                                               health.healthz]),
            create_static_files_router(path="/static", directories=[WEB / "static"],
                                       include_in_schema=False),
        ],
        template_config=TemplateConfig(directory=template_directories(), engine=JinjaTemplateEngine,
                                       engine_callback=_configure_jinja),
        csrf_config=CSRFConfig(secret=settings.secret_key, exclude=["/api/", "/healthz"],
                               cookie_httponly=False, cookie_samesite="lax"),
        openapi_config=OpenAPIConfig(
            title="plantops", version="0.1.0", path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "apiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
            }),
        ),
        middleware=[request_id_middleware],
        exception_handlers={
            DomainError: domain_error,
            LoginRequired: login_required,
            ValidationException: validation_error,
            HTTPException: http_error,
        },
    )


def served_app() -> Litestar:
    """The app of one ``plantops serve --processes N`` worker process: attach to the
    database and Redis the parent started or named (their URLs are in the environment;
    the parent migrated already), then build the app."""
    from core.bootstrap import bring_up

    bring_up(run_migrations=False)
    return create_app()
