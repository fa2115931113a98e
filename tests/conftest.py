"""Fixtures on real services: an embedded (or TEST_DATABASE_URL) PostgreSQL, a real Redis,
the app served by uvicorn on loopback, and a dramatiq worker in this process.

The environment is set before any application module reads its settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PLANTOPS_DATA_DIR", str(ROOT / ".plantops" / "test"))
os.environ.setdefault("PLANTOPS_SECRET_KEY", "test-secret-key-that-is-long-enough-for-hs256")
os.environ.setdefault("PLANTOPS_IMPORT_JOB_ROWS", "50")
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_plantops_webhook_secret")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support import CHROMIUM, LiveServer, TenantHandle, free_port, sign_up  # noqa: E402

TEST_DB = "plantops_test"


def _owner_url(started: list[Any]) -> str:
    """An owner URL for a fresh test database on TEST_DATABASE_URL or embedded PostgreSQL."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base is None:
        from core.embedded.postgres import start_postgres

        server, base = start_postgres(Path(os.environ["PLANTOPS_DATA_DIR"]) / "pg")
        started.append(server)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEST_DB}"))
    admin.dispose()
    return make_url(base).set(database=TEST_DB).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def services() -> Iterator[dict[str, str]]:
    """PostgreSQL with the schema migrated, and Redis; both torn down at the end."""
    from core import db, jobs
    from core.bootstrap import load_job_kinds
    from core.config import get_settings
    from core.embedded.redis import start_redis
    from core.migrate import migrate
    from core.runtime import app_url_for

    started: list[Any] = []
    settings = get_settings()
    owner_url = _owner_url(started)
    migrate(owner_url, settings)
    app_url = app_url_for(owner_url, settings)
    redis_url = os.environ.get("TEST_REDIS_URL")
    if redis_url is None:
        proc, redis_url = start_redis(settings.data_dir / "redis", free_port())
        started.append(proc)
    db.configure(app_url)
    broker = jobs.setup_broker(redis_url)
    broker.flush_all()
    load_job_kinds()
    worker = jobs.start_worker(broker, threads=2)
    yield {"owner_url": owner_url, "app_url": app_url, "redis_url": redis_url}
    worker.stop()
    db.engine().dispose()
    for handle in reversed(started):
        if hasattr(handle, "terminate"):
            handle.terminate()
        elif hasattr(handle, "cleanup"):
            handle.cleanup()


@pytest.fixture(scope="session")
def live_server(services: dict[str, str]) -> Iterator[LiveServer]:
    from web.app import create_app

    server = LiveServer(create_app()).start()
    yield server
    server.stop()


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        yield client


@pytest.fixture
def tenant(http: httpx.Client) -> TenantHandle:
    return sign_up(http, "Tenant A")


@pytest.fixture
def other_tenant(http: httpx.Client) -> TenantHandle:
    return sign_up(http, "Tenant B")


@pytest.fixture
def owner_engine(services: dict[str, str]) -> Iterator[Any]:
    engine = create_engine(services["owner_url"])
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts from empty tenant data (shared reference tables are kept)."""
    yield
    if "services" not in request.fixturenames:
        return
    owner = create_engine(request.getfixturevalue("services")["owner_url"])
    keep = {"uom", "alembic_version"}
    with owner.begin() as conn:
        tables = [t for t in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
            if t not in keep]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    owner.dispose()


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """localstripe (with tests/localstripe_ext.py's additions) on 127.0.0.1, for the session."""
    import subprocess
    import sys
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.localstripe_ext", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{url}/v1/customers", auth=("sk_test_plantops", "")).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.terminate()
            raise RuntimeError("localstripe did not start")
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_on(localstripe_url: str, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Stripe turned on for one test: the real SDK pointed at localstripe, plans synced."""
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_plantops")
    monkeypatch.setenv("STRIPE_API_BASE", localstripe_url)
    from core.billing.stripe_billing import sync_catalog

    sync_catalog()
    return localstripe_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: .ci/run installs it"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()
