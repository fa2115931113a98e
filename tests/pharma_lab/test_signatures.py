"""QC release and rejection under an electronic signature: only the qa role, password
re-entered, meaning and reason; stored immutably with a hashed manifest."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from core.errors import Forbidden
from plugins.pharma_lab.signatures import SignatureRequest, Signer, sign_lot
from tests.pharma_lab.support import Lab, item, lot_status, receive, sign
from tests.support import PASSWORD, TenantHandle, add_member


def _signatures(owner_engine: Any, tenant: TenantHandle) -> int:
    with owner_engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pharma_signature WHERE tenant_id = :t"),
                                {"t": tenant.tenant_id}).scalar_one())


def test_qa_releases_with_a_signature_that_records_what_was_signed(lab: Lab) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-7").status_code == 201
    answer = sign(lab.qa, "L-7", meaning="QC release: approved for use", reason="HPLC purity 99.9 %")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["lot"]["status"] == "available"
    sig = body["signature"]
    assert (sig["user_id"], sig["signer_email"]) == (str(lab.qa.user_id), lab.qa.email)
    assert (sig["status_from"], sig["status_to"], sig["action"]) == ("quarantine", "available", "release")
    assert sig["reason"] == "HPLC purity 99.9 %" and sig["intact"] is True
    manifest = sig["manifest"]
    assert manifest["lot"]["code"] == "L-7" and manifest["lot"]["sku"] == "ACN"
    assert manifest["signer"]["email"] == lab.qa.email and manifest["meaning"] == "QC release: approved for use"
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == sig["manifest_sha256"]
    listed = lab.owner.get("/api/v1/pharma/lots/L-7/signatures").json()["items"]
    assert [s["id"] for s in listed] == [sig["id"]]
    again = sign(lab.qa, "L-7")
    assert again.status_code == 409 and "available" in again.json()["detail"]


def test_wrong_password_and_missing_fields_change_nothing(lab: Lab, owner_engine: Any) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1").status_code == 201
    wrong = sign(lab.qa, "L-1", password="Not-my-password-1")
    assert wrong.status_code == 403 and wrong.json()["field"] == "password", wrong.text
    assert "nothing was signed" in wrong.json()["detail"]
    for field, value in (("meaning", "  "), ("reason", ""), ("password", "")):
        body = {"password": PASSWORD, "meaning": "QC release", "reason": "in spec", field: value}
        answer = lab.qa.post("/api/v1/pharma/lots/L-1/release", json=body)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    missing = lab.qa.post("/api/v1/pharma/lots/L-1/release", json={"password": PASSWORD, "meaning": "QC release"})
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    long = sign(lab.qa, "L-1", reason="x" * 1001)
    assert long.status_code == 422 and long.json()["field"] == "reason"
    assert sign(lab.qa, "NO-SUCH-LOT").status_code == 404
    assert lot_status(lab.owner, "L-1") == "quarantine"
    assert _signatures(owner_engine, lab.owner) == 0


def test_only_qa_signs_never_an_api_key(lab: Lab, owner_engine: Any) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1").status_code == 201
    storekeeper = add_member(lab.owner, owner_engine, "storekeeper")
    for who in (lab.owner, storekeeper):
        refused = sign(who, "L-1")
        assert refused.status_code == 403 and "qa" in refused.json()["detail"]
    key = lab.owner.post("/api/v1/api-keys", json={"name": "LIMS", "scope": "write"}).json()["key"]
    by_key = lab.owner.client.post("/api/v1/pharma/lots/L-1/release", headers={"X-API-Key": key},
                                   json={"password": PASSWORD, "meaning": "QC release", "reason": "in spec"})
    assert by_key.status_code == 403
    # The service itself refuses a key whatever role it carries: a signature is a person's act.
    with pytest.raises(Forbidden, match="API key"):
        sign_lot(lab.owner.tenant_id, Signer(lab.qa.user_id, lab.qa.email, api_key=True), "L-1",
                 SignatureRequest("release", PASSWORD, "QC release", "in spec"))
    assert lot_status(lab.owner, "L-1") == "quarantine" and _signatures(owner_engine, lab.owner) == 0


def test_failed_signatures_count_like_failed_logins(lab: Lab) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1").status_code == 201
    for _ in range(5):
        assert sign(lab.qa, "L-1", password="Wrong-password-9").status_code == 403
    locked = sign(lab.qa, "L-1")  # even the right password, until the window ends
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert lot_status(lab.owner, "L-1") == "quarantine"


def test_signatures_are_immutable_for_the_app_and_the_owner(lab: Lab, services: dict[str, str],
                                                             owner_engine: Any) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1").status_code == 201
    assert sign(lab.qa, "L-1").status_code == 201
    app = create_engine(services["app_url"])
    try:
        for statement in ("UPDATE pharma_signature SET reason = 'forged'", "DELETE FROM pharma_signature"):
            with pytest.raises(DBAPIError, match="permission denied"), app.begin() as conn:
                conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(lab.owner.tenant_id)})
                conn.execute(text(statement))
            with pytest.raises(DBAPIError, match="immutable"), owner_engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        app.dispose()
    assert lab.owner.get("/api/v1/pharma/lots/L-1/signatures").json()["items"][0]["reason"] == \
        "assay within specification"


def test_routes_refuse_a_tenant_without_the_plugin(plain: TenantHandle) -> None:
    for path in ("/api/v1/pharma/qc-queue", "/api/v1/pharma/reagents", "/api/v1/pharma/assay-runs"):
        answer = plain.get(path)
        assert answer.status_code == 403 and "not enabled" in answer.json()["detail"]
