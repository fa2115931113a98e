"""Test support: a live server on loopback and tenants signed up through the API."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

PASSWORD = "Correct-horse-9"
CHROMIUM = os.environ.get("PLANTOPS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Screenshots the browser tests take (git-ignored), to look at what a person sees.
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving the app in a thread: tests speak real HTTP to it."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class TenantHandle:
    """A tenant signed up through the API, with its owner's bearer token."""

    tenant_id: uuid.UUID
    plant_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    token: str
    client: httpx.Client

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


def sign_up(client: httpx.Client, company: str | None = None, plan: str = "starter") -> TenantHandle:
    """Sign up a fresh tenant on ``plan`` and log its owner in."""
    tag = uuid.uuid4().hex[:8]
    email = f"owner-{tag}@example.com"
    answer = client.post("/api/v1/signup", json={
        "company": company or f"Company {tag}", "plant": f"Plant {tag}",
        "email": email, "password": PASSWORD, "plan": plan,
    })
    assert answer.status_code == 201, answer.text
    ids = answer.json()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return TenantHandle(uuid.UUID(ids["tenant_id"]), uuid.UUID(ids["plant_id"]),
                        uuid.UUID(ids["user_id"]), email, token.json()["access_token"], client)


def wait_for_job(tenant: TenantHandle, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """Poll the job until it ends; return its final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = tenant.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish within {timeout}s")


def outbox_link(owner_engine: Any, email: str, timeout: float = 30) -> str:
    """The newest invitation link mailed to ``email``, read from the outbox once sent."""
    import re

    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with owner_engine.connect() as conn:
            row = conn.execute(text(
                "SELECT body, sent_at FROM mail_outbox WHERE to_email = :e "
                "ORDER BY created_at DESC LIMIT 1"), {"e": email}).first()
        if row is not None and row.sent_at is not None:
            match = re.search(r"https?://\S+/invite\?token=(\S+)", row.body)
            assert match, row.body
            return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {email} was sent within {timeout}s")


def add_member(owner: TenantHandle, owner_engine: Any, role: str,
               email: str | None = None) -> TenantHandle:
    """Invite someone with ``role``, accept through the API, and return them logged in."""
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    sent = owner.post("/api/v1/invitations", json={"email": email, "role": role})
    assert sent.status_code == 201, sent.text
    token = outbox_link(owner_engine, email)
    accepted = owner.client.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    return TenantHandle(owner.tenant_id, owner.plant_id, uuid.UUID(body["user_id"]), email,
                        body["access_token"], owner.client)


def browser_login(browser: Any, base: str, email: str, password: str = PASSWORD) -> Any:
    """A fresh desktop-sized page logged in as ``email`` on the dashboard (generous timeouts:
    the suite's machine may be busy)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(45000)
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page
