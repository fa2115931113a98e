"""Auto-committing connections lent for one-statement work (core.statement_connections)."""

from __future__ import annotations

import psycopg
import pytest

from core import db
from core.statement_connections import statement_cursor


def _backend() -> int:
    with statement_cursor() as cursor:
        row = cursor.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        return int(row[0])


def test_a_connection_is_lent_again_and_commits_each_statement(services: dict[str, str]) -> None:
    first = _backend()
    assert _backend() == first  # the same connection, given back and lent again
    with statement_cursor() as cursor:
        cursor.execute("SELECT set_config('app.probe', 'x', true)")  # local to its own transaction
        row = cursor.execute("SELECT current_setting('app.probe', true)").fetchone()
        assert row is not None and row[0] in ("", None)
        status = cursor.connection.info.transaction_status
        assert status == psycopg.pq.TransactionStatus.IDLE


def test_a_refused_statement_keeps_the_connection_a_lost_one_drops_it(services: dict[str, str]) -> None:
    first = _backend()
    with pytest.raises(psycopg.errors.DivisionByZero), statement_cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert _backend() == first  # a refusal leaves the connection usable
    with pytest.raises(psycopg.OperationalError), statement_cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    assert _backend() != first  # the dead one was not lent again


def test_disposing_the_engine_closes_them(services: dict[str, str]) -> None:
    first = _backend()
    db.engine().dispose()
    assert _backend() != first
