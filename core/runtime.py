"""Resolve the PostgreSQL and Redis a process talks to, starting embedded ones if needed."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from core.config import Settings
from core.embedded.postgres import start_postgres
from core.embedded.redis import start_redis


@dataclass
class Services:
    """The URLs in use, and handles of whatever this process started (to stop them)."""

    owner_url: str
    app_url: str
    redis_url: str
    started: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        """Stop what this process started; data stays on disk."""
        for handle in reversed(self.started):
            if isinstance(handle, subprocess.Popen):
                handle.terminate()
                try:
                    handle.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    handle.kill()
            elif hasattr(handle, "cleanup"):
                handle.cleanup()
        self.started.clear()


def app_url_for(owner_url: str, settings: Settings) -> str:
    """The unprivileged role's URL: same server and database, the app role's credentials."""
    if settings.app_database_url:
        return settings.app_database_url
    url = make_url(owner_url).set(
        username=settings.app_db_role, password=settings.app_db_password
    )
    return url.render_as_string(hide_password=False)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ensure_services(settings: Settings, redis_port: int | None = None) -> Services:
    """Return URLs for the database and Redis, starting embedded servers when no URL is set.

    The embedded Redis listens on ``PLANTOPS_REDIS_PORT`` (6399 by default) so that a
    ``plantops worker`` in another process finds the one ``plantops serve`` started.
    """
    started: list[Any] = []
    owner_url = settings.database_url
    if owner_url is None:
        server, owner_url = start_postgres(settings.data_dir / "pg")
        started.append(server)
        owner_url = _with_database(server, owner_url, "plantops")
    redis_url = settings.redis_url
    if redis_url is None:
        port = redis_port or int(os.environ.get("PLANTOPS_REDIS_PORT", "6399"))
        if _port_open(port):
            redis_url = f"redis://127.0.0.1:{port}/0"
        else:
            proc, redis_url = start_redis(settings.data_dir / "redis", port)
            started.append(proc)
    return Services(owner_url, app_url_for(owner_url, settings), redis_url, started)


def _with_database(server: Any, owner_url: str, name: str) -> str:
    """Create database ``name`` on the embedded server if missing; return its URL."""
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {name};")
    return make_url(owner_url).set(database=name).render_as_string(hide_password=False)
