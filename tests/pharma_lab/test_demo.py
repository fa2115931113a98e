"""`make demo` seeds "Demo Lab": reagents, a lot awaiting QC, signed releases, an opened
lot, a certificate and an assay schedule with one run short of buffer."""

from __future__ import annotations

import httpx

from core.demo import DEMO_PASSWORD, _ensure_plugin_demo


def test_demo_lab(http: httpx.Client) -> None:
    login = _ensure_plugin_demo("pharma_lab", "Lab")
    assert login.created and login.email == "pharma@plantops.local" and login.tenant == "Demo Lab"
    token = http.post("/api/v1/auth/token", json={"email": login.email, "password": DEMO_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    queue = http.get("/api/v1/pharma/qc-queue", headers=headers).json()
    assert [lot["code"] for lot in queue["items"]] == ["ACN-2648"]
    signed = http.get("/api/v1/pharma/lots/ACN-2611/signatures", headers=headers).json()["items"]
    assert signed[0]["signer_email"] == "lab-qa@plantops.local" and signed[0]["intact"]
    assert http.get("/api/v1/pharma/lots/ACN-2611", headers=headers).json()["coa"]["filename"] == "CoA HX-88121.txt"
    assert http.get("/api/v1/pharma/lots/BUF-0917", headers=headers).json()["opened_on"] is not None
    runs = http.get("/api/v1/pharma/assay-runs", headers=headers).json()["items"]
    assert [r["short"] for r in runs] == [False, True, True]
    titles = [a["title"] for a in http.get("/api/v1/alerts", headers=headers).json()["items"]]
    assert any(t.startswith("Assay Dissolution test") for t in titles), titles
    qa = http.post("/api/v1/auth/token", json={"email": "lab-qa@plantops.local", "password": DEMO_PASSWORD})
    assert qa.status_code == 200
