"""Engine, sessions and the tenant context.

Every unit of work on tenant data runs in :func:`tenant_session`, which opens a
transaction and calls ``set_config('app.tenant_id', …, true)``: the setting is
transaction-local, so a pooled connection never carries one tenant into another's
request, and row-level security has something to compare with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

_engine: Engine | None = None
_sessions: sessionmaker[Session] | None = None


def configure(app_url: str, pool_size: int = 10) -> Engine:
    """Create the process-wide engine for the application role (idempotent per URL)."""
    global _engine, _sessions
    if _engine is not None and _engine.url.render_as_string(hide_password=False) == app_url:
        return _engine
    if _engine is not None:
        _engine.dispose()
    _engine = create_engine(app_url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)
    from core.audit.capture import install

    install()  # every ORM change of tenant data is audited from here on
    _sessions = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def engine() -> Engine:
    """The configured engine; fails loudly if :func:`configure` was not called."""
    if _engine is None:
        raise RuntimeError("core.db.configure() has not been called")
    return _engine


def _new_session() -> Session:
    if _sessions is None:
        raise RuntimeError("core.db.configure() has not been called")
    return _sessions()


def set_tenant(session: Session, tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> None:
    """Bind the current transaction to a tenant (and user) for row-level security."""
    session.info["user_id"] = user_id  # the audit log's fallback for "who"
    session.execute(
        text("SELECT set_config('app.tenant_id', :t, true), set_config('app.user_id', :u, true)"),
        {"t": str(tenant_id) if tenant_id else "", "u": str(user_id) if user_id else ""},
    )


@contextmanager
def tenant_session(
    tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None
) -> Iterator[Session]:
    """One transaction bound to ``tenant_id``: committed on success, rolled back on error."""
    session = _new_session()
    try:
        with session.begin():
            set_tenant(session, tenant_id, user_id)
            yield session
    finally:
        session.close()


@contextmanager
def global_session() -> Iterator[Session]:
    """A transaction with no tenant: only global tables (users, reference data) are visible."""
    with tenant_session(None) as session:
        yield session
