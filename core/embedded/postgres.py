"""An embedded PostgreSQL (the ``pgserver`` package) under the data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


def start_postgres(pgdata: Path, keep_running: bool = False) -> tuple[Any, str]:
    """Start (or attach to) the server in ``pgdata``; return the handle and an owner URL.

    The handle must be kept alive: pgserver stops the server when the last handle is
    closed, unless ``keep_running`` is set.
    """
    import pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    uri = server.get_uri()
    url = make_url(uri).set(drivername="postgresql+psycopg")
    return server, url.render_as_string(hide_password=False)
