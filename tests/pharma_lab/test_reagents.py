"""Reagents: profile (hazard classes, storage, in-use days, min/max), certificate of
analysis kept with the lot, opened date and in-use expiry, stock alerts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from tests.pharma_lab.support import Lab, issue, item, receive, released
from tests.planning_app.support import order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle

PDF = b"%PDF-1.4\n% certificate of analysis\n%%EOF\n"
PROFILE = {"hazard_classes": ["GHS02", "ghs07"], "storage_condition": "flammables_cabinet", "in_use_days": 30,
           "min_stock": "5", "max_stock": "40"}


def _profile(tenant: TenantHandle, sku: str, **fields: Any) -> Any:
    return tenant.request("PUT", f"/api/v1/pharma/reagents/{sku}", json={**PROFILE, **fields})


def _backdate(owner_engine: Any, tenant: TenantHandle, code: str, days: int) -> None:
    """As if the lot had been received ``days`` ago (tests cannot wait for days to pass)."""
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE lot SET received_at = now() - make_interval(days => :d) "
                          "WHERE tenant_id = :t AND code = :c"), {"d": days, "t": tenant.tenant_id, "c": code})


def test_profile_is_saved_and_bad_input_names_the_field(lab: Lab) -> None:
    item(lab.owner, "ACN")
    item(lab.owner, "TIPS", tracking="none")
    saved = _profile(lab.owner, "ACN")
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["hazard_classes"] == ["GHS02", "GHS07"] and body["in_use_days"] == 30
    assert (body["min_stock"], body["max_stock"], body["usable_stock"]) == ("5", "40", "0")
    assert body["stock_status"] == "below_min"
    for fields, field in (({"hazard_classes": ["GHS10"]}, "hazard_classes"),
                          ({"storage_condition": "fridge-ish"}, "storage_condition"),
                          ({"in_use_days": 0}, "in_use_days"),
                          ({"min_stock": "50"}, "max_stock"),
                          ({"min_stock": "-1"}, "min_stock")):
        answer = _profile(lab.owner, "ACN", **fields)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    untracked = _profile(lab.owner, "TIPS")
    assert untracked.status_code == 422 and "lot-tracked" in untracked.json()["detail"]
    assert _profile(lab.owner, "NOPE").status_code == 404
    assert lab.owner.get("/api/v1/pharma/reagents/ACN").json()["storage_condition"] == "flammables_cabinet"
    assert lab.owner.get("/api/v1/pharma/reagents/TIPS").status_code == 404


def test_certificate_of_analysis_is_kept_with_the_lot(lab: Lab) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1").status_code == 201
    url = "/api/v1/pharma/lots/L-1/coa"
    assert lab.owner.get(url).status_code == 404
    sent = lab.owner.post(url, files={"file": ("CoA L-1.pdf", PDF, "application/pdf")})
    assert sent.status_code == 201, sent.text
    coa = sent.json()["coa"]
    assert (coa["filename"], coa["content_type"], coa["size"]) == ("CoA L-1.pdf", "application/pdf", len(PDF))
    fetched = lab.owner.get(url)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert fetched.headers["content-type"].startswith("application/pdf")
    for files, status in (({"file": ("x.exe", b"MZ...", "application/x-msdownload")}, 422),
                          ({"file": ("fake.pdf", b"not a pdf", "application/pdf")}, 422),
                          ({"file": ("empty.txt", b"", "text/plain")}, 422),
                          ({"other": ("a.txt", b"abc", "text/plain")}, 422),
                          ({"file": ("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")}, 413)):
        answer = lab.owner.post(url, files=files)
        assert answer.status_code == status and answer.json()["field"] == "file", answer.text
    assert lab.owner.post(url, json={}).status_code == 422
    assert lab.owner.get(url).content == PDF  # refusals left the certificate alone
    # Replaceable while in quarantine; once QC decided, the certificate stays.
    assert lab.owner.post(url, files={"file": ("v2.txt", b"purity 99.9", "text/plain")}).status_code == 201
    assert lab.qa.post("/api/v1/pharma/lots/L-1/release", json={
        "password": "Correct-horse-9", "meaning": "QC release", "reason": "CoA v2 in spec"}).status_code == 201
    late = lab.owner.post(url, files={"file": ("v3.txt", b"other", "text/plain")})
    assert late.status_code == 409 and lab.owner.get(url).content == b"purity 99.9"
    assert lab.owner.post("/api/v1/pharma/lots/NOPE/coa", files={"file": ("a.txt", b"a", "text/plain")}
                          ).status_code == 404


def test_opened_lot_expires_in_use_and_cannot_be_issued(lab: Lab, owner_engine: Any) -> None:
    item(lab.owner, "ACN")
    assert _profile(lab.owner, "ACN", in_use_days=5, min_stock=None, max_stock=None).status_code == 200
    soon = date.today() + timedelta(days=3)
    released(lab, "ACN", "EARLY", "10", expiry=soon)  # expiry before opened + 5 days
    released(lab, "ACN", "OLD", "10")
    released(lab, "ACN", "NEW", "10")
    future = lab.owner.post("/api/v1/pharma/lots/OLD/open", json={"opened_on": (date.today() + timedelta(days=1)
                                                                               ).isoformat()})
    assert future.status_code == 422 and future.json()["field"] == "opened_on"
    before = lab.owner.post("/api/v1/pharma/lots/OLD/open", json={"opened_on": "2020-01-01"})
    assert before.status_code == 422 and "received" in before.json()["detail"]
    early = lab.owner.post("/api/v1/pharma/lots/EARLY/open", json={})
    assert early.status_code == 200 and early.json()["in_use_expiry"] == soon.isoformat()  # whichever is earlier
    _backdate(owner_engine, lab.owner, "OLD", 30)
    opened_on = date.today() - timedelta(days=10)
    opened = lab.owner.post("/api/v1/pharma/lots/OLD/open", json={"opened_on": opened_on.isoformat()})
    assert opened.status_code == 200, opened.text
    last_day = opened_on + timedelta(days=5)
    assert opened.json()["in_use_expiry"] == last_day.isoformat() and opened.json()["in_use_expired"] is True
    assert lab.owner.post("/api/v1/pharma/lots/OLD/open", json={}).status_code == 409
    refused = issue(lab.owner, "ACN", "1", "OLD")
    assert refused.status_code == 409, refused.text
    assert "OLD" in refused.json()["detail"] and str(last_day) in refused.json()["detail"]
    # Allocation without a lot passes over the spent lot (EARLY, then NEW).
    taken = issue(lab.owner, "ACN", "12")
    assert taken.status_code == 201, taken.text
    assert [m["lot_code"] for m in taken.json()["moves"]] == ["EARLY", "NEW"]
    # Disposal of the spent lot stays possible.
    scrapped = lab.owner.post("/api/v1/stock-moves", json={
        "kind": "scrap", "sku": "ACN", "quantity": "1", "from_location": "LAB-STORE", "lot": "OLD",
        "idempotency_key": "scrap-old"})
    assert scrapped.status_code == 201, scrapped.text


def test_spent_lots_are_not_supply_in_mrp(lab: Lab, owner_engine: Any) -> None:
    item(lab.owner, "ACN", kind="buy", lead_time_days=5)
    assert _profile(lab.owner, "ACN", in_use_days=2, min_stock=None, max_stock=None).status_code == 200
    released(lab, "ACN", "SPENT", "30")
    released(lab, "ACN", "FRESH", "20")
    _backdate(owner_engine, lab.owner, "SPENT", 10)
    assert lab.owner.post("/api/v1/pharma/lots/SPENT/open", json={
        "opened_on": (date.today() - timedelta(days=5)).isoformat()}).status_code == 200
    order(lab.owner, "SO-1", [("ACN", 100, 3)])
    run = run_mrp(lab.owner)
    planned = lab.owner.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders", params={"sku": "ACN"}).json()["items"]
    assert [o["quantity"] for o in planned] == ["80"]
    assert any("SPENT" in note and "in-use" in note for note in run["counts"]["notes"])


def test_min_and_max_stock_alerts(lab: Lab, plain: TenantHandle) -> None:
    item(lab.owner, "BUF")
    item(lab.owner, "STD")
    assert _profile(lab.owner, "BUF", min_stock="5", max_stock="20").status_code == 200
    assert _profile(lab.owner, "STD", min_stock="1", max_stock="3").status_code == 200
    released(lab, "BUF", "B-1", "4")
    assert receive(lab.owner, "BUF", "B-2", "50").status_code == 201  # quarantined: not usable yet
    released(lab, "STD", "S-1", "8")
    alerts = {a["title"]: a for a in lab.owner.get("/api/v1/alerts").json()["items"]}
    assert alerts["Reagent BUF below minimum"]["severity"] == "warning"
    assert "4 usable, minimum 5" in alerts["Reagent BUF below minimum"]["detail"]
    assert alerts["Reagent STD above maximum"]["severity"] == "info"
    assert alerts["1 lot waiting for QC release"]["link"] == "/app/pharma/qc"
    listed = {r["sku"]: r["stock_status"] for r in lab.owner.get("/api/v1/pharma/reagents").json()["items"]}
    assert listed == {"BUF": "below_min", "STD": "above_max"}
    assert plain.get("/api/v1/alerts").json()["items"] == []
