"""Single sign-on through a real OIDC provider on loopback (oidc-provider-mock): the
authorization-code flow with PKCE, the ID token checked, email mapped to a member,
just-in-time membership for the tenant's domain, and refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import text

from core.auth.oidc import unseal
from tests.support import TenantHandle, add_member


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


def _configure(tenant: TenantHandle, issuer_url: str, **extra: Any) -> httpx.Response:
    body = {"issuer": issuer_url, "client_id": "plantops-test", "client_secret": "client-secret-1", **extra}
    return tenant.request("PUT", "/api/v1/sso", json=body)


def _sso_login(base_url: str, tenant: TenantHandle, email: str) -> tuple[httpx.Client, httpx.Response]:
    """Start at our /sso/<tenant>/start, sign in at the provider as ``email``, come back."""
    browser = httpx.Client(base_url=base_url)
    start = browser.get(f"/sso/{tenant.tenant_id}/start")
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    signed_in = httpx.post(authorize, data={"sub": email})  # the provider's own sign-in form
    assert signed_in.status_code == 302, signed_in.text
    back = signed_in.headers["location"]
    assert back.startswith(base_url + "/sso/callback")
    return browser, browser.get(back.removeprefix(base_url))


def test_member_signs_in_with_the_company_provider(http: httpx.Client, tenant: TenantHandle,
                                                  owner_engine: Any, issuer: str) -> None:
    saved = _configure(tenant, issuer)
    assert saved.status_code == 200 and "client_secret" not in saved.json()
    assert saved.json()["login_url"].endswith(f"/sso/{tenant.tenant_id}/start")
    planner = add_member(tenant, owner_engine, "planner", "pat@acme.test")
    browser, done = _sso_login(str(http.base_url), tenant, planner.email)
    try:
        assert done.status_code == 303 and done.headers["location"] == "/"
        assert "plantops_session" in done.headers.get("set-cookie", "")
        home = browser.get("/")
        assert home.status_code == 200 and "pat@acme.test" in home.text and "planner" in home.text
    finally:
        browser.close()


def test_just_in_time_membership_for_the_domain(http: httpx.Client, tenant: TenantHandle, issuer: str) -> None:
    _configure(tenant, issuer, email_domain="acme.test", jit_role="storekeeper")
    browser, done = _sso_login(str(http.base_url), tenant, "newbie@acme.test")
    browser.close()
    assert done.status_code == 303
    members = {m["email"]: m["role"] for m in tenant.get("/api/v1/members").json()["items"]}
    assert members["newbie@acme.test"] == "storekeeper"
    outsider_browser, refused = _sso_login(str(http.base_url), tenant, "mallory@evil.test")
    outsider_browser.close()
    assert refused.status_code == 403 and "not a member of this company" in refused.text
    assert "mallory@evil.test" not in str(tenant.get("/api/v1/members").json())


def test_tampered_or_missing_state_is_refused(http: httpx.Client, tenant: TenantHandle, issuer: str) -> None:
    _configure(tenant, issuer, email_domain="acme.test")
    with httpx.Client(base_url=str(http.base_url)) as browser:
        start = browser.get(f"/sso/{tenant.tenant_id}/start")
        signed_in = httpx.post(start.headers["location"], data={"sub": "x@acme.test"})
        back = urlsplit(signed_in.headers["location"])
        code = parse_qs(back.query)["code"][0]
        wrong_state = browser.get("/sso/callback", params={"code": code, "state": "forged"})
        assert wrong_state.status_code == 401 and "state" in wrong_state.text
    with httpx.Client(base_url=str(http.base_url)) as stranger:  # no cookie from the start
        no_cookie = stranger.get("/sso/callback", params={"code": "abc", "state": "abc"})
        assert no_cookie.status_code == 401
        assert stranger.get("/sso/callback", params={"error": "access_denied"}).status_code == 401


def test_settings_bad_input_roles_and_unknown_tenant(http: httpx.Client, tenant: TenantHandle,
                                                     owner_engine: Any, issuer: str) -> None:
    assert tenant.get("/api/v1/sso").status_code == 404
    for extra, field in (({"issuer": "ftp://x"}, "issuer"), ({"client_id": " "}, "client_id"),
                         ({"client_secret": ""}, "client_secret"), ({"email_domain": "nodot"}, "email_domain"),
                         ({"jit_role": "owner"}, "jit_role"), ({"jit_role": "king"}, "jit_role")):
        answer = _configure(tenant, issuer, **extra)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    assert _configure(tenant, issuer).status_code == 200
    kept = tenant.request("PUT", "/api/v1/sso", json={"issuer": issuer, "client_id": "other"})
    assert kept.status_code == 200  # a blank secret keeps the stored one
    viewer = add_member(tenant, owner_engine, "viewer")
    assert viewer.get("/api/v1/sso").status_code == 403
    entry = tenant.get("/api/v1/audit", params={"table": "tenant_sso"}).json()["items"][-1]
    assert entry["after"]["client_secret"] == "[redacted]"
    with owner_engine.connect() as conn:
        stored = conn.execute(text("SELECT client_secret FROM tenant_sso")).scalar_one()
    assert "client-secret-1" not in stored and unseal(stored) == "client-secret-1"
    unknown = http.get("/sso/00000000-0000-0000-0000-000000000000/start")
    assert unknown.status_code == 404


def _find_sso(base_url: str, email: str) -> tuple[httpx.Client, httpx.Response]:
    """The login page's SSO link: the work email's domain picks the company."""
    browser = httpx.Client(base_url=base_url)
    login = browser.get("/login")
    assert 'href="/sso"' in login.text
    page = browser.get("/sso")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token
    return browser, browser.post("/sso", data={"email": email, "_csrf_token": token.group(1)})


def test_login_page_finds_the_company_by_email_domain(http: httpx.Client, tenant: TenantHandle,
                                                     other_tenant: TenantHandle, issuer: str) -> None:
    base = str(http.base_url)
    browser, unknown = _find_sso(base, "pat@acme.test")
    assert unknown.status_code == 404 and "no single sign-on is set up for acme.test" in unknown.text
    browser.close()
    browser, bad = _find_sso(base, "not-an-email")
    browser.close()
    assert bad.status_code == 422 and "email is not a valid address" in bad.text
    _configure(tenant, issuer, email_domain="acme.test")
    browser, found = _find_sso(base, "Pat@ACME.test")
    browser.close()
    assert found.status_code == 303 and found.headers["location"] == f"/sso/{tenant.tenant_id}/start"
    # Two companies claiming one domain: nobody is guessed, each shares its own link.
    _configure(other_tenant, issuer, email_domain="acme.test")
    browser, ambiguous = _find_sso(base, "pat@acme.test")
    browser.close()
    assert ambiguous.status_code == 404
