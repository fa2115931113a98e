"""Bring a process up: services, migrations, the database engine and the job broker."""

from __future__ import annotations

import logging

from core import db, jobs
from core.config import Settings, get_settings
from core.migrate import migrate
from core.runtime import Services, ensure_services

log = logging.getLogger("plantops")


def load_job_kinds() -> None:
    """Import the modules that register job kinds, so a worker knows every kind."""
    import core.catalog.import_job  # noqa: F401
    import core.daily_scan  # noqa: F401
    from core.plugins import get_plugin_manager

    get_plugin_manager()  # plugins register their own job kinds when imported
    import core.planning.mrp_run  # noqa: F401


def bring_up(run_migrations: bool = True, settings: Settings | None = None) -> Services:
    """Start or attach to PostgreSQL and Redis, migrate, configure engine and broker."""
    settings = settings or get_settings()
    services = ensure_services(settings)
    if run_migrations:
        migrate(services.owner_url, settings)
    db.configure(services.app_url)
    jobs.setup_broker(services.redis_url)
    load_job_kinds()
    return services
