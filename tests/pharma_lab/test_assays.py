"""The assay schedule: a run reserves its reagents ahead, a shortage alerts days before
the run and the daily scan retries it, running issues the reagents, cancelling releases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.daily_scan import scan_now
from tests.pharma_lab.support import STORE, Lab, item, receive, released
from tests.support import TenantHandle

METHOD = {"name": "HPLC assay", "description": "Related substances",
          "reagents": [{"sku": "ACN", "quantity": "2"}, {"sku": "BUF", "quantity": "1.5"}]}


def _method(tenant: TenantHandle) -> dict[str, Any]:
    made = tenant.post("/api/v1/pharma/assay-methods", json=METHOD)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _schedule(tenant: TenantHandle, days_ahead: int, method: str = "HPLC assay") -> Any:
    return tenant.post("/api/v1/pharma/assay-runs", json={
        "method": method, "location": STORE, "scheduled_on": (date.today() + timedelta(days=days_ahead)).isoformat()})


def _lines(run: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {line["sku"]: (line["needed"], line["reserved"], line["short"]) for line in run["lines"]}


def _shortage_alerts(tenant: TenantHandle) -> list[dict[str, Any]]:
    return [a for a in tenant.get("/api/v1/alerts").json()["items"] if a["title"].startswith("Assay")]


def _setup(lab: Lab) -> None:
    item(lab.owner, "ACN")
    item(lab.owner, "BUF")
    _method(lab.owner)


def test_methods_refuse_bad_input(lab: Lab) -> None:
    item(lab.owner, "ACN")
    item(lab.owner, "BUF")
    method = _method(lab.owner)
    assert [r["sku"] for r in method["reagents"]] == ["ACN", "BUF"]
    assert lab.owner.get(f"/api/v1/pharma/assay-methods/{method['id']}").json()["name"] == "HPLC assay"
    twice = lab.owner.post("/api/v1/pharma/assay-methods", json=METHOD)
    assert twice.status_code == 409 and twice.json()["field"] == "name"
    for reagents, field in (([{"sku": "NOPE", "quantity": "1"}], "reagents[0].sku"),
                            ([{"sku": "ACN", "quantity": "0"}], "reagents[0].quantity"),
                            ([{"sku": "ACN", "quantity": "1"}, {"sku": "ACN", "quantity": "2"}], "reagents[1].sku"),
                            ([], "reagents")):
        answer = lab.owner.post("/api/v1/pharma/assay-methods", json={"name": "Other", "reagents": reagents})
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    assert lab.owner.get("/api/v1/pharma/assay-methods").json()["items"][0]["name"] == "HPLC assay"
    for body, field in (({"method": "Nope", "location": STORE, "scheduled_on": date.today().isoformat()}, "method"),
                        ({"method": "HPLC assay", "location": "NOWHERE", "scheduled_on": date.today().isoformat()},
                         "location"),
                        ({"method": "HPLC assay", "location": STORE, "scheduled_on": "2020-01-01"}, "scheduled_on")):
        answer = lab.owner.post("/api/v1/pharma/assay-runs", json=body)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    assert lab.owner.get("/api/v1/pharma/assay-runs").json()["total"] == 0


def test_scheduling_reserves_running_issues(lab: Lab) -> None:
    _setup(lab)
    released(lab, "ACN", "A-1", "1.5")  # two lots make up the 2 needed
    released(lab, "ACN", "A-2", "4")
    released(lab, "BUF", "B-1", "3")
    run = _schedule(lab.owner, 5)
    assert run.status_code == 201, run.text
    body = run.json()
    assert _lines(body) == {"ACN": ("2", "2", "0"), "BUF": ("1.5", "1.5", "0")} and body["short"] is False
    held = lab.owner.get("/api/v1/reservations", params={"reference_type": "assay_run",
                                                         "reference_id": body["id"]}).json()["items"]
    assert sorted((h["lot_code"], h["remaining"]) for h in held) == [("A-1", "1.5"), ("A-2", "0.5"), ("B-1", "1.5")]
    # The reserved stock is promised: an issue without the reservation cannot take it.
    grab = lab.owner.post("/api/v1/stock-moves", json={"kind": "issue", "sku": "ACN", "quantity": "4",
                                                       "from_location": STORE, "idempotency_key": "grab"})
    assert grab.status_code == 409
    done = lab.owner.post(f"/api/v1/pharma/assay-runs/{body['id']}/run")
    assert done.status_code == 200 and done.json()["status"] == "done", done.text
    stock = {row["lot_code"]: row["on_hand"]
             for row in lab.owner.get("/api/v1/stock", params={"sku": "ACN"}).json()["items"]}
    assert stock.get("A-2") == "3.5" and "A-1" not in stock
    statuses = {h["status"] for h in lab.owner.get("/api/v1/reservations", params={
        "reference_type": "assay_run", "reference_id": body["id"]}).json()["items"]}
    assert statuses == {"consumed"}
    moves = lab.owner.get("/api/v1/stock-moves", params={"kind": "issue"}).json()["items"]
    assert {m["reference"]["id"] for m in moves} == {body["id"]}
    again = lab.owner.post(f"/api/v1/pharma/assay-runs/{body['id']}/run")
    assert again.status_code == 409 and "done" in again.json()["detail"]
    assert lab.owner.post(f"/api/v1/pharma/assay-runs/{body['id']}/cancel").status_code == 409


def test_shortage_alerts_days_ahead_and_the_daily_scan_reserves_later(lab: Lab) -> None:
    _setup(lab)
    released(lab, "ACN", "A-1", "5")
    assert receive(lab.owner, "BUF", "B-Q", "10").status_code == 201  # in quarantine: not reservable
    near = _schedule(lab.owner, 2).json()
    far = _schedule(lab.owner, 10).json()
    assert near["short"] and _lines(near)["BUF"] == ("1.5", "0", "1.5") and _lines(near)["ACN"][2] == "0"
    alerts = _shortage_alerts(lab.owner)  # default: from 3 days before the run
    assert [a["title"] for a in alerts] == [f"Assay HPLC assay on {near['scheduled_on']} is short of reagents"]
    assert "BUF short 1.5" in alerts[0]["detail"] and alerts[0]["severity"] == "warning"
    refused = lab.owner.post(f"/api/v1/pharma/assay-runs/{near['id']}/run")
    assert refused.status_code == 409 and "BUF" in refused.json()["detail"]
    assert lab.owner.request("PUT", "/api/v1/pharma/settings", json={"shortage_alert_days": 14}).status_code == 200
    assert len(_shortage_alerts(lab.owner)) == 2
    bad = lab.owner.request("PUT", "/api/v1/pharma/settings", json={"shortage_alert_days": 91})
    assert bad.status_code == 422 and bad.json()["field"] == "shortage_alert_days"
    # QC releases the buffer; the daily scan reserves it for both runs, once.
    assert lab.qa.post("/api/v1/pharma/lots/B-Q/release", json={
        "password": "Correct-horse-9", "meaning": "QC release", "reason": "in spec"}).status_code == 201
    first = scan_now(lab.owner.tenant_id, date.today())
    assert first["plugins"] == [{"plugin": "pharma_lab", "runs_newly_reserved": 2, "runs_short": 0,
                                 "reagents_below_min": 0}]
    second = scan_now(lab.owner.tenant_id, date.today())
    assert second["plugins"][0]["runs_newly_reserved"] == 0
    assert _shortage_alerts(lab.owner) == []
    assert _lines(lab.owner.get(f"/api/v1/pharma/assay-runs/{far['id']}").json())["BUF"] == ("1.5", "1.5", "0")


def test_cancelling_releases_the_reservations(lab: Lab, plain: TenantHandle) -> None:
    _setup(lab)
    released(lab, "ACN", "A-1", "2")
    released(lab, "BUF", "B-1", "2")
    run = _schedule(lab.owner, 1).json()
    cancelled = lab.owner.post(f"/api/v1/pharma/assay-runs/{run['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    held = lab.owner.get("/api/v1/reservations", params={"reference_id": run["id"]}).json()["items"]
    assert {h["status"] for h in held} == {"released"}
    assert lab.owner.post(f"/api/v1/pharma/assay-runs/{run['id']}/run").status_code == 409
    listed = lab.owner.get("/api/v1/pharma/assay-runs", params={"status": "cancelled"}).json()
    assert listed["total"] == 1 and listed["items"][0]["method"] == "HPLC assay"
    assert lab.owner.get("/api/v1/pharma/assay-runs/00000000-0000-0000-0000-000000000000").status_code == 404
    # The same stock moves freely for a tenant without the plugin (no quarantine, no schedule).
    item(plain, "ACN")
    assert receive(plain, "ACN", "A-1", "2").status_code == 201
    assert plain.post("/api/v1/reservations", json={"sku": "ACN", "location": STORE, "quantity": "2"}
                      ).status_code == 201
