"""Settings read once from the environment, with embedded defaults for a fresh machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Process-wide configuration.

    ``database_url`` is the owner connection (migrations); ``app_database_url`` is the
    unprivileged role the application uses. Either is ``None`` when the embedded
    PostgreSQL should be started under ``data_dir``; the same holds for ``redis_url``.
    """

    data_dir: Path
    database_url: str | None
    app_database_url: str | None
    app_db_role: str
    app_db_password: str
    redis_url: str | None
    port: int
    host: str
    secret_key: str
    token_ttl_seconds: int
    import_job_threshold: int
    in_process_workers: int
    #: Where people reach the app; links in mail (invitations) start with it.
    base_url: str = "http://127.0.0.1:8000"
    #: How long an invitation link stays valid, seconds (default 7 days).
    invitation_ttl_seconds: int = 7 * 24 * 3600
    #: Stripe's webhook signing secret (the API key is read by core.billing.stripe_billing).
    stripe_webhook_secret: str | None = None
    #: Days an unpaid or canceled subscription keeps full use before the tenant turns read-only.
    billing_grace_days: int = 7


def _secret_key(data_dir: Path) -> str:
    """A stable secret: from the environment, else created once under the data folder."""
    env = os.environ.get("PLANTOPS_SECRET_KEY")
    if env:
        return env
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once per process (tests set it before the first call)."""
    data_dir = Path(os.environ.get("PLANTOPS_DATA_DIR", ".plantops")).resolve()
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("DATABASE_URL") or None,
        app_database_url=os.environ.get("APP_DATABASE_URL") or None,
        app_db_role=os.environ.get("PLANTOPS_APP_DB_ROLE", "plantops_app"),
        app_db_password=os.environ.get("PLANTOPS_APP_DB_PASSWORD", "plantops_app"),
        redis_url=os.environ.get("REDIS_URL") or None,
        port=int(os.environ.get("PLANTOPS_PORT", "8000")),
        host=os.environ.get("PLANTOPS_HOST", "127.0.0.1"),
        secret_key=_secret_key(data_dir),
        token_ttl_seconds=int(os.environ.get("PLANTOPS_TOKEN_TTL", str(12 * 3600))),
        import_job_threshold=int(os.environ.get("PLANTOPS_IMPORT_JOB_ROWS", "500")),
        in_process_workers=int(os.environ.get("PLANTOPS_WORKER_THREADS", "2")),
        base_url=os.environ.get("PLANTOPS_BASE_URL") or (
            f"http://{os.environ.get('PLANTOPS_HOST', '127.0.0.1')}:"
            f"{os.environ.get('PLANTOPS_PORT', '8000')}"),
        invitation_ttl_seconds=int(os.environ.get("PLANTOPS_INVITATION_TTL", str(7 * 24 * 3600))),
        stripe_webhook_secret=os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        billing_grace_days=int(os.environ.get("PLANTOPS_BILLING_GRACE_DAYS", "7")),
    )
