"""Receipts of lot-tracked items land in quarantine; quarantined and rejected lots can be
neither issued nor reserved and are not supply in MRP; only a signed QC decision takes a
lot out of quarantine. A tenant without the plugin keeps core's behaviour."""

from __future__ import annotations

from tests.pharma_lab.support import STORE, Lab, issue, item, lot_status, receive, released, sign
from tests.planning_app.support import order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle


def test_receipt_lands_in_quarantine_only_where_enabled(lab: Lab, plain: TenantHandle) -> None:
    for tenant in (lab.owner, plain):
        item(tenant, "ACN")
        assert receive(tenant, "ACN", "ACN-1").status_code == 201
        item(tenant, "GLOVES", tracking="none")
        assert receive(tenant, "GLOVES", None).status_code == 201
    assert lot_status(lab.owner, "ACN-1") == "quarantine"
    assert lot_status(plain, "ACN-1") == "available"
    # The tenant without the plugin issues its fresh lot at once; the lab may not.
    assert issue(plain, "ACN", "2", "ACN-1").status_code == 201
    refused = issue(lab.owner, "ACN", "2", "ACN-1")
    assert refused.status_code == 409 and "quarantine" in refused.json()["detail"], refused.text
    # Items without lots are not held back.
    assert issue(lab.owner, "GLOVES", "1").status_code == 201
    queue = lab.owner.get("/api/v1/pharma/qc-queue").json()
    assert [lot["code"] for lot in queue["items"]] == ["ACN-1"] and queue["total"] == 1


def test_fifo_allocation_and_reservations_skip_quarantined_and_rejected_lots(lab: Lab) -> None:
    item(lab.owner, "BUF")
    assert receive(lab.owner, "BUF", "OLD", "10").status_code == 201  # first received, still quarantined
    released(lab, "BUF", "GOOD", "5")
    assert receive(lab.owner, "BUF", "BAD", "10").status_code == 201
    assert sign(lab.qa, "BAD", "reject", meaning="QC rejection: does not meet specification").status_code == 201
    taken = issue(lab.owner, "BUF", "3")  # no lot named: FIFO would take OLD first
    assert taken.status_code == 201, taken.text
    assert [m["lot_code"] for m in taken.json()["moves"]] == ["GOOD"]
    too_much = issue(lab.owner, "BUF", "3")  # only 2 usable left
    assert too_much.status_code == 409 and too_much.json()["available"] == "2", too_much.text
    for code in ("OLD", "BAD"):
        held = lab.owner.post("/api/v1/reservations", json={"sku": "BUF", "location": STORE, "lot": code,
                                                             "quantity": "1"})
        assert held.status_code == 409 and code in held.json()["detail"], held.text
        assert issue(lab.owner, "BUF", "1", code).status_code == 409
    pinned = lab.owner.post("/api/v1/reservations", json={"sku": "BUF", "location": STORE, "quantity": "2"})
    assert pinned.status_code == 201 and pinned.json()["lot_code"] == "GOOD", pinned.text
    assert lab.owner.post("/api/v1/reservations", json={"sku": "BUF", "location": STORE,
                                                        "quantity": "1"}).status_code == 409


def test_quarantined_and_rejected_lots_are_not_supply_in_mrp(lab: Lab) -> None:
    item(lab.owner, "STD", kind="buy", lead_time_days=5)
    assert receive(lab.owner, "STD", "Q-1", "40").status_code == 201
    released(lab, "STD", "R-1", "25")
    assert receive(lab.owner, "STD", "X-1", "15").status_code == 201
    assert sign(lab.qa, "X-1", "reject").status_code == 201
    order(lab.owner, "SO-1", [("STD", 100, 3)])
    run = run_mrp(lab.owner)
    planned = lab.owner.get(f"/api/v1/mrp/runs/{run['id']}/planned-orders", params={"sku": "STD"}).json()["items"]
    assert [o["quantity"] for o in planned] == ["75"]  # 100 − 25 released; 40 + 15 do not count
    notes = " ".join(run["counts"]["notes"])
    assert "Q-1" in notes and "X-1" in notes


def test_patch_cannot_take_a_lot_out_of_quarantine_where_enabled(lab: Lab, plain: TenantHandle) -> None:
    for tenant in (lab.owner, plain):
        item(tenant, "ACN")
        assert receive(tenant, "ACN", "L-1").status_code == 201
    for status in ("available", "rejected"):
        refused = lab.owner.patch("/api/v1/lots/L-1", json={"status": status})
        assert refused.status_code == 409, refused.text
        assert "signature" in refused.json()["detail"] and refused.json()["field"] == "status"
    assert lot_status(lab.owner, "L-1") == "quarantine"
    # Less usable is always allowed: expiry date and the expired status.
    assert lab.owner.patch("/api/v1/lots/L-1", json={"status": "expired"}).status_code == 200
    assert lab.owner.patch("/api/v1/lots/L-1", json={"status": "quarantine"}).status_code == 200
    # The tenant without the plugin re-grades as core allows.
    assert plain.patch("/api/v1/lots/L-1", json={"status": "quarantine"}).status_code == 200
    assert plain.patch("/api/v1/lots/L-1", json={"status": "available"}).status_code == 200
    assert lot_status(plain, "L-1") == "available"


def test_a_rejected_lot_never_changes_and_a_decided_lot_takes_no_new_receipt(lab: Lab) -> None:
    item(lab.owner, "ACN")
    released(lab, "ACN", "OK-1")
    assert receive(lab.owner, "ACN", "NO-1").status_code == 201
    assert sign(lab.qa, "NO-1", "reject").status_code == 201
    for status in ("quarantine", "expired", "available"):
        answer = lab.owner.patch("/api/v1/lots/NO-1", json={"status": status})
        assert answer.status_code == 409 and "rejected" in answer.json()["detail"]
    for code in ("OK-1", "NO-1"):
        more = receive(lab.owner, "ACN", code)
        assert more.status_code == 409 and "new lot code" in more.json()["detail"], more.text
    # Putting a released lot back on hold needs no signature; releasing it again does.
    assert lab.owner.patch("/api/v1/lots/OK-1", json={"status": "quarantine"}).status_code == 200
    assert receive(lab.owner, "ACN", "OK-1", "1").status_code == 201  # on hold: QC decides again
    assert issue(lab.owner, "ACN", "1", "OK-1").status_code == 409
    assert sign(lab.qa, "OK-1").status_code == 201
    assert issue(lab.owner, "ACN", "1", "OK-1").status_code == 201
