"""Signup, token issue and the rules around them, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.support import PASSWORD, TenantHandle, sign_up


def test_signup_returns_ids_and_token_works(http: httpx.Client) -> None:
    tenant = sign_up(http, "Acme Foods")
    me = tenant.get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["tenant_id"] == str(tenant.tenant_id)
    assert body["tenant_name"] == "Acme Foods"
    assert body["role"] == "owner"
    plants = tenant.get("/api/v1/plants").json()["items"]
    assert [p["id"] for p in plants] == [str(tenant.plant_id)]


def test_duplicate_email_is_409_whatever_the_case(http: httpx.Client, tenant: TenantHandle) -> None:
    answer = http.post("/api/v1/signup", json={
        "company": "Other", "plant": "P", "email": tenant.email.upper(), "password": PASSWORD})
    assert answer.status_code == 409
    assert answer.json()["field"] == "email"


@pytest.mark.parametrize(("password", "rule"), [
    ("short1!", "at least 10 characters"),
    ("onlyletterslong", "mix letters with digits or symbols"),
    ("password123", "too common"),
])
def test_weak_password_is_422_naming_the_rule(http: httpx.Client, password: str, rule: str) -> None:
    answer = http.post("/api/v1/signup", json={
        "company": "C", "plant": "P", "email": "weak@example.com", "password": password})
    assert answer.status_code == 422
    assert answer.json()["field"] == "password"
    assert rule in answer.json()["detail"]
    # Nothing was written: the same email can still sign up with a good password.
    ok = http.post("/api/v1/signup", json={
        "company": "C", "plant": "P", "email": "weak@example.com", "password": PASSWORD})
    assert ok.status_code == 201


@pytest.mark.parametrize("field", ["company", "plant", "email", "password"])
def test_signup_missing_field_is_400_naming_it(http: httpx.Client, field: str) -> None:
    body = {"company": "C", "plant": "P", "email": "m@example.com", "password": PASSWORD}
    del body[field]
    answer = http.post("/api/v1/signup", json=body)
    assert answer.status_code == 400
    assert answer.json()["field"] == field


def test_signup_bad_email_and_blank_company(http: httpx.Client) -> None:
    bad = http.post("/api/v1/signup", json={
        "company": "C", "plant": "P", "email": "not-an-email", "password": PASSWORD})
    assert bad.status_code == 422 and bad.json()["field"] == "email"
    blank = http.post("/api/v1/signup", json={
        "company": "  ", "plant": "P", "email": "b@example.com", "password": PASSWORD})
    assert blank.status_code == 422 and blank.json()["field"] == "company"


def test_wrong_password_and_unknown_email_get_the_same_401(
    http: httpx.Client, tenant: TenantHandle
) -> None:
    wrong = http.post("/api/v1/auth/token", json={"email": tenant.email, "password": "Nope-nope-1"})
    unknown = http.post("/api/v1/auth/token", json={"email": "ghost@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "password" in wrong.json()["detail"] and "email" in wrong.json()["detail"]


def test_api_refuses_missing_or_forged_tokens(http: httpx.Client, tenant: TenantHandle) -> None:
    assert http.get("/api/v1/items").status_code == 401
    forged = tenant.token[:-4] + ("AAAA" if not tenant.token.endswith("AAAA") else "BBBB")
    answer = http.get("/api/v1/items", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401


def test_password_is_stored_as_argon2_hash(tenant: TenantHandle, owner_engine: object) -> None:
    from sqlalchemy import text

    with owner_engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE email = :e"),
                              {"e": tenant.email}).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
