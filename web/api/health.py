"""/healthz: is the database reachable, is Redis reachable."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response
from sqlalchemy import text

from core import db
from web.api.common import api_get


def _check_database() -> str:
    with db.engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return "ok"


def _check_redis() -> str:
    from dramatiq import get_broker

    broker: Any = get_broker()
    broker.client.ping()
    return "ok"


@api_get("/healthz", media_type=MediaType.JSON)
def healthz() -> Response[dict[str, str]]:
    """200 when both answer, 503 naming what failed otherwise."""
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as exc:  # a health check reports failures, it must not raise
            checks[name] = f"error: {type(exc).__name__}: {exc}"
    ok = all(v == "ok" for v in checks.values())
    return Response({"status": "ok" if ok else "failing", **checks}, status_code=200 if ok else 503)
