"""``plantops migrate``: create the application role, then upgrade the schema as the owner."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from core.config import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def ensure_app_role(owner_url: str, settings: Settings) -> None:
    """Create the login role the app uses: owns nothing, not a superuser, no BYPASSRLS."""
    role, password = settings.app_db_role, settings.app_db_password
    engine = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if not exists:
            # Role names and passwords cannot be bound parameters in DDL.
            quoted = password.replace("'", "''")
            conn.execute(text(
                f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS '
                f"PASSWORD '{quoted}'"
            ))
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    engine.dispose()


def alembic_config(owner_url: str, settings: Settings) -> Config:
    """An alembic Config pointing at the packaged migrations folder."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", owner_url.replace("%", "%%"))
    cfg.attributes["app_role"] = settings.app_db_role
    return cfg


def migrate(owner_url: str, settings: Settings, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    ensure_app_role(owner_url, settings)
    command.upgrade(alembic_config(owner_url, settings), revision)


def downgrade(owner_url: str, settings: Settings, revision: str) -> None:
    """Step the schema back to ``revision`` (used by the migration round-trip test)."""
    command.downgrade(alembic_config(owner_url, settings), revision)
