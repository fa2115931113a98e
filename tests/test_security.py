"""Security items: login rate limiting per account and per address (429 + Retry-After),
CSRF on cookie forms, a new session token at every login, and the cookie flags."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core import kv
from core.auth.rate_limit import PREFIX
from tests.support import PASSWORD, TenantHandle


@pytest.fixture
def clean_limits(live_server: Any) -> Iterator[None]:
    """Every test in the suite logs in from 127.0.0.1: leave no counters behind."""
    def wipe() -> None:
        client = kv.client()
        for key in client.scan_iter(f"{PREFIX}:*"):
            client.delete(key)
    wipe()
    yield
    wipe()


def _csrf_login(browser: httpx.Client, email: str, password: str) -> httpx.Response:
    page = browser.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    return browser.post("/login", data={"email": email, "password": password, "_csrf_token": token.group(1)})


def test_account_is_locked_after_five_failures(http: httpx.Client, tenant: TenantHandle,
                                               clean_limits: None) -> None:
    for _ in range(5):
        answer = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": "Wrong-pass-1"})
        assert answer.status_code == 401
    locked = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD})
    assert locked.status_code == 429  # even the right password waits
    assert 0 < int(locked.headers["retry-after"]) <= 900
    assert "too many failed logins for this account" in locked.json()["detail"]
    # Another account from the same address is not locked by these five.
    other = http.post("/api/v1/auth/token", json={"email": "someone@example.com", "password": "x-1234567890"})
    assert other.status_code == 401
    # The login page says the same, with Retry-After.
    with httpx.Client(base_url=str(http.base_url)) as browser:
        page = _csrf_login(browser, tenant.email.upper(), PASSWORD)
        assert page.status_code == 429 and "try again in" in page.text and page.headers["retry-after"]


def test_success_clears_the_account_counter(http: httpx.Client, tenant: TenantHandle,
                                            clean_limits: None) -> None:
    for _ in range(4):
        http.post("/api/v1/auth/token", json={"email": tenant.email, "password": "Wrong-pass-1"})
    assert http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD}).status_code == 200
    for _ in range(4):
        assert http.post("/api/v1/auth/token", json={"email": tenant.email,
                                                     "password": "Wrong-pass-1"}).status_code == 401
    assert http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD}).status_code == 200


def test_address_is_locked_after_thirty_failures(http: httpx.Client, tenant: TenantHandle,
                                                 clean_limits: None) -> None:
    for n in range(30):  # one try each on 30 accounts: credential stuffing
        http.post("/api/v1/auth/token", json={"email": f"victim{n}@example.com", "password": "Guess-123x"})
    locked = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD})
    assert locked.status_code == 429 and "your address" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 0


def test_cookie_forms_need_the_csrf_token(http: httpx.Client, tenant: TenantHandle) -> None:
    with httpx.Client(base_url=str(http.base_url)) as browser:
        assert _csrf_login(browser, tenant.email, PASSWORD).status_code == 303
        refused = browser.post("/app/team/invite", data={"email": "x@example.com", "role": "viewer"})
        assert refused.status_code == 403
        forged = browser.post("/app/team/invite", data={"email": "x@example.com", "role": "viewer",
                                                         "_csrf_token": "forged"})
        assert forged.status_code == 403
        assert browser.post("/logout").status_code == 403


def test_session_is_rotated_at_login(http: httpx.Client, tenant: TenantHandle) -> None:
    with httpx.Client(base_url=str(http.base_url)) as browser:
        # A session id planted before login (fixation) is replaced, not adopted.
        browser.cookies.set("plantops_session", "planted-by-an-attacker", domain="127.0.0.1")
        first = _csrf_login(browser, tenant.email, PASSWORD).cookies.get("plantops_session")
        assert first and first != "planted-by-an-attacker"
        second = _csrf_login(browser, tenant.email, PASSWORD).cookies.get("plantops_session")
        assert second and second != first  # a new token at every login, even within a second
    one = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD}).json()
    two = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": PASSWORD}).json()
    assert one["access_token"] != two["access_token"]


def test_session_cookie_flags(http: httpx.Client, tenant: TenantHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    with httpx.Client(base_url=str(http.base_url)) as browser:
        cookie = _csrf_login(browser, tenant.email, PASSWORD).headers["set-cookie"].lower()
    assert "plantops_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "path=/" in cookie and "secure" not in cookie  # plain HTTP on loopback
    monkeypatch.setenv("PLANTOPS_SECURE_COOKIES", "1")  # behind HTTPS
    with httpx.Client(base_url=str(http.base_url)) as browser:
        cookie = _csrf_login(browser, tenant.email, PASSWORD).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
