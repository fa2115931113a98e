"""Auto-committing connections for work that is one statement (a plain posting).

Checking a connection out of SQLAlchemy's pool and back, switching it to autocommit and
back, and a fresh cursor per statement cost about 0.2 ms of Python: more than the rest of
a plain posting on the client. These connections stay in autocommit, each keeps one
cursor (whose adapters are looked up once), and they are lent from a plain list.

They follow the engine: opened with its URL and credentials, closed when it is disposed
or replaced, forgotten (not closed: the socket belongs to the parent) in a forked child.
A connection whose statement failed with anything but a database refusal is closed, not
lent again; one idle for over :data:`IDLE_SECONDS` is pinged before it is lent.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, event

from core import db
from core.pool_liveness import IDLE_SECONDS

#: Idle connections kept per process; more are closed when given back.
KEEP = 16

_lock = threading.Lock()
_idle: list[tuple[psycopg.Connection[Any], psycopg.Cursor[Any], float]] = []
_owner: tuple[int, int] | None = None  # (pid, id of the engine) the idle connections belong to


@contextmanager
def statement_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """A cursor on an auto-committing connection to the configured database."""
    engine = db.engine()
    owner = (os.getpid(), id(engine))
    conn, cursor = _lend(engine, owner)
    healthy = False
    try:
        yield cursor
        healthy = True
    except psycopg.DatabaseError as exc:
        healthy = exc.sqlstate is not None and not conn.closed  # refused, still connected
        raise
    finally:
        _give_back(conn, cursor, healthy, owner)


def _lend(engine: Engine, owner: tuple[int, int]) -> tuple[psycopg.Connection[Any], psycopg.Cursor[Any]]:
    global _owner
    with _lock:
        if _owner != owner:
            if _owner is not None and _owner[0] == owner[0]:
                _close_all()
            _idle.clear()  # a forked child forgets its parent's connections
            _owner = owner
            if not event.contains(engine, "engine_disposed", _on_dispose):
                event.listen(engine, "engine_disposed", _on_dispose)
        while _idle:
            conn, cursor, since = _idle.pop()
            if time.monotonic() - since < IDLE_SECONDS or _answers(conn):
                return conn, cursor
            conn.close()
    conn = psycopg.connect(_conninfo(engine), autocommit=True)
    return conn, conn.cursor()


def _give_back(conn: psycopg.Connection[Any], cursor: psycopg.Cursor[Any], healthy: bool,
               owner: tuple[int, int]) -> None:
    with _lock:
        if healthy and not conn.closed and len(_idle) < KEEP and _owner == owner:
            _idle.append((conn, cursor, time.monotonic()))
            return
    conn.close()


def _answers(conn: psycopg.Connection[Any]) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _conninfo(engine: Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _on_dispose(engine: Engine) -> None:
    with _lock:
        if _owner == (os.getpid(), id(engine)):
            _close_all()


def _close_all() -> None:
    for conn, _, _ in _idle:
        conn.close()
    _idle.clear()
