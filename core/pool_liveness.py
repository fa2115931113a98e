"""Pinging pooled connections only when they sat idle long enough to have gone stale.

SQLAlchemy's ``pool_pre_ping`` sends a round trip on *every* checkout. A posting checks a
connection out once per transaction, so that ping was one round trip in eight and a
sixth of the Python time of a whole posting. Connections are dropped by what happens
while they sit in the pool (a server restart, an idle timeout in a proxy or firewall),
so this pings only those that sat idle for more than :data:`IDLE_SECONDS`. A connection
that dies while it is in use — or within those seconds — fails its statement exactly as
it did with ``pool_pre_ping``; SQLAlchemy then recognises the disconnect and invalidates
the pool, so the next checkouts get fresh connections.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

#: How long a connection may sit in the pool before its next checkout pings it.
IDLE_SECONDS = 5.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_SECONDS) -> None:
    """Install the checkin/checkout listeners on ``engine``'s pool."""

    @event.listens_for(engine, "checkin")
    def _remember(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return  # brand new, or back from a transaction a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another (a fresh one).
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection did not answer a ping")
