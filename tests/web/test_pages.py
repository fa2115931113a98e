"""Pages over real HTTP: login redirect, CSRF on cookie forms, fragments, health and schema."""

from __future__ import annotations

import re

import httpx

from tests.support import PASSWORD, TenantHandle


def _login(http: httpx.Client, email: str) -> None:
    page = http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, "the login form carries a CSRF token"
    answer = http.post("/login", data={"email": email, "password": PASSWORD,
                                       "_csrf_token": token.group(1)})
    assert answer.status_code == 303 and "plantops_session" in answer.headers["set-cookie"]
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_pages_need_a_session(http: httpx.Client) -> None:
    answer = http.get("/app/items")
    assert answer.status_code in (302, 303, 307) and answer.headers["location"].startswith("/login")


def test_form_without_csrf_token_is_refused(http: httpx.Client, tenant: TenantHandle) -> None:
    _login(http, tenant.email)
    answer = http.post("/app/items", data={"sku": "X", "name": "x"})
    assert answer.status_code == 403
    assert tenant.get("/api/v1/items").json()["total"] == 0


def test_logged_in_pages_render(http: httpx.Client, tenant: TenantHandle) -> None:
    tenant.post("/api/v1/items", json={"sku": "PAGE-1", "name": "Page item"})
    _login(http, tenant.email)
    for path, expected in [("/", "Items"), ("/app/items", "PAGE-1"), ("/app/locations", "Add a location"),
                           ("/app/plugins", "food fifo"), ("/app/items/import", "lot_sizing_rule"),
                           ("/app/items/PAGE-1/edit", "Page item")]:
        answer = http.get(path)
        assert answer.status_code == 200, path
        assert expected in answer.text, path
    dashboard = http.get("/").text
    assert re.search(r'<header>Items</header><p class="big">1</p>', dashboard), "the dashboard counts the item"
    fragment = http.get("/app/items/table", params={"q": "nothing-like-this"})
    assert "No items" in fragment.text and "<html" not in fragment.text
    export = http.get("/app/items/export")
    assert export.text.startswith("sku,name") and "PAGE-1" in export.text


def test_login_page_rejects_bad_password_without_detail(http: httpx.Client, tenant: TenantHandle) -> None:
    page = http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = http.post("/login", data={"email": tenant.email, "password": "wrong-one-9",
                                       "_csrf_token": token.group(1)})
    assert answer.status_code == 401 and "email or password is incorrect" in answer.text


def test_open_redirect_after_login_is_refused(http: httpx.Client, tenant: TenantHandle) -> None:
    page = http.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = http.post("/login", data={"email": tenant.email, "password": PASSWORD,
                                       "next": "//evil.example.com/", "_csrf_token": token.group(1)})
    assert answer.headers["location"] == "/"


def test_health_and_openapi(http: httpx.Client) -> None:
    health = http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    spec = http.get("/schema/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/items/{ref}" in spec["paths"] and "/api/v1/jobs/{job_id}" in spec["paths"]
