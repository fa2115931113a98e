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

from core.config import get_settings
from core.errors import DomainError
from core.plugins import get_plugin_manager
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


def plugin_routes() -> list[Any]:
    """Routes that installed plugins contribute through the ``register_routes`` hook."""
    found: list[Any] = []
    for routes in get_plugin_manager().hook.register_routes():
        found.extend(routes or [])
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
                                             *planning_pages.handlers],
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
        template_config=TemplateConfig(directory=WEB / "templates", engine=JinjaTemplateEngine,
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
