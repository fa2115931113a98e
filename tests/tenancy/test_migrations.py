"""Migrations run down to nothing and back up again on a scratch database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.config import get_settings
from core.migrate import downgrade, migrate


def test_round_trip_down_and_up(services: dict[str, str], owner_engine: Any) -> None:
    scratch = "plantops_migration_check"
    admin = create_engine(services["owner_url"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {scratch}"))
    url = make_url(services["owner_url"]).set(database=scratch).render_as_string(hide_password=False)
    settings = get_settings()
    try:
        migrate(url, settings)
        downgrade(url, settings, "base")
        engine = create_engine(url)
        with engine.connect() as conn:
            left = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        engine.dispose()
        assert set(left) <= {"alembic_version"}
        migrate(url, settings)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"))
        admin.dispose()
