"""The lot's audit trail: every move, status change and signature, in time order."""

from __future__ import annotations

from tests.pharma_lab.support import Lab, issue, item, receive, sign


def test_trail_merges_moves_status_changes_and_signatures_in_order(lab: Lab) -> None:
    item(lab.owner, "ACN")
    assert receive(lab.owner, "ACN", "L-1", "10").status_code == 201
    assert lab.owner.patch("/api/v1/lots/L-1", json={"expiry_date": "2031-01-31"}).status_code == 200
    assert lab.owner.post("/api/v1/pharma/lots/L-1/coa", files={"file": ("coa.txt", b"assay 99.8 %", "text/plain")}
                          ).status_code == 201
    assert sign(lab.qa, "L-1", reason="CoA and identity test in spec").status_code == 201
    assert issue(lab.owner, "ACN", "4", "L-1").status_code == 201
    assert lab.owner.post("/api/v1/pharma/lots/L-1/open", json={}).status_code == 200
    trail = lab.owner.get("/api/v1/pharma/lots/L-1/audit-trail")
    assert trail.status_code == 200, trail.text
    body = trail.json()
    assert (body["code"], body["sku"], body["status"]) == ("L-1", "ACN", "available")
    kinds = [e["kind"] for e in body["events"]]
    assert kinds == ["created", "move", "expiry", "coa", "signature", "status", "move", "opened"], kinds
    events = body["events"]
    assert events[0]["summary"] == "lot created with status quarantine"
    assert events[1]["summary"].startswith("receipt 10") and events[1]["by"] == lab.owner.email
    assert events[4]["by"] == lab.qa.email and events[4]["details"]["reason"] == "CoA and identity test in spec"
    assert events[4]["details"]["intact"] is True
    assert events[5]["details"] == {"from": "quarantine", "to": "available"} and events[5]["by"] == lab.qa.email
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert lab.owner.get("/api/v1/pharma/lots/NOPE/audit-trail").status_code == 404
