"""Production batches post through the ledger (reference work_order/<number>), and the
recall trace walks it forward from a raw lot and backward from a finished lot."""

from __future__ import annotations

from typing import Any

from tests.food_fifo.support import created, days, move, post_move, receive, setup_dairy
from tests.support import TenantHandle


def _batch(tenant: TenantHandle, number: str, quantity: str, **extra: Any) -> Any:
    return tenant.post("/api/v1/food/batches", json={"number": number, "sku": "YOG", "quantity": quantity,
                                                     "from_location": "COLD", "to_location": "FG", **extra})


def _plant(tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    receive(tenant, "MILK", "M1", "20", days(5))
    receive(tenant, "MILK", "M2", "20", days(8))
    receive(tenant, "CULTURE", "C1", "1", days(60))
    receive(tenant, "MILK", "M-OLD", "5", days(-2))


def test_a_batch_consumes_lots_fefo_and_makes_a_valued_lot(tenant: TenantHandle) -> None:
    _plant(tenant)
    made = created(_batch(tenant, "B-1", "10"))
    assert sorted((m["sku"], m["lot_code"], m["quantity"]) for m in made["consumed"]) == [
        ("CULTURE", "C1", "0.1"), ("MILK", "M1", "9")]
    [out] = made["produced"]
    assert (out["lot_code"], out["quantity"], out["unit_cost"]) == ("B-1", "10", "0.92")  # (9×0.8 + 0.1×20)/10
    assert {m["reference"]["id"] for m in made["consumed"] + made["produced"]} == {"B-1"}
    assert tenant.get("/api/v1/lots/B-1").json()["expiry_date"] == days(21)
    assert created(tenant.get("/api/v1/food/batches/B-1"), 200)["lot"] == "B-1"
    assert [b["number"] for b in tenant.get("/api/v1/food/batches").json()["items"]] == ["B-1"]


def test_bad_batches_are_refused_and_write_nothing(tenant: TenantHandle) -> None:
    _plant(tenant)
    created(_batch(tenant, "B-1", "10"))
    milk_before = tenant.get("/api/v1/lots", params={"sku": "MILK"}).json()["items"]
    cases: list[tuple[str, str, dict[str, Any], int, str | None]] = [
        ("B-1", "1", {}, 409, "number"), ("", "1", {}, 422, "number"), ("B-2", "0", {}, 422, "quantity"),
        ("B-2", "1", {"sku": "NOPE"}, 422, "sku"), ("B-2", "1", {"sku": "MILK"}, 422, "sku"),
        ("B-2", "1", {"to_location": "NOWHERE"}, 422, "to_location"),
        ("B-2", "1000", {}, 409, None),  # not enough milk
        ("B-2", "10", {"inputs": [{"sku": "BOTTLE", "lot": "X", "quantity": "1"}]}, 422, "inputs"),
        ("B-2", "10", {"inputs": [{"sku": "MILK", "lot": "M2", "quantity": "5"}]}, 422, "inputs"),
        ("B-2", "1", {"inputs": [{"sku": "MILK", "lot": "M-OLD", "quantity": "0.9"}]}, 409, None),
    ]
    for number, quantity, extra, status, field in cases:
        bad = _batch(tenant, number, quantity, **extra)
        assert bad.status_code == status, (number, extra, bad.text)
        if field:
            assert bad.json()["field"] == field, bad.text
    expired = _batch(tenant, "B-2", "1", inputs=[{"sku": "MILK", "lot": "M-OLD", "quantity": "0.9"}])
    assert f"lot M-OLD of MILK expired on {days(-2)}" in expired.json()["detail"]
    assert tenant.get("/api/v1/lots", params={"sku": "MILK"}).json()["items"] == milk_before
    assert tenant.get("/api/v1/stock-moves", params={"reference_id": "B-2"}).json()["total"] == 0
    assert [b["number"] for b in tenant.get("/api/v1/food/batches").json()["items"]] == ["B-1"]
    assert tenant.get("/api/v1/food/batches/B-2").status_code == 404


def test_recall_forward_and_backward(tenant: TenantHandle) -> None:
    _plant(tenant)
    created(_batch(tenant, "B-1", "10"))  # 9 of M1
    created(_batch(tenant, "B-2", "20", inputs=[{"sku": "MILK", "lot": "M1", "quantity": "11"},
                                                {"sku": "MILK", "lot": "M2", "quantity": "7"}]))
    move(tenant, kind="issue", sku="YOG", quantity="5", from_location="FG", lot="B-1", reason="shipment",
         reference={"type": "sales_order", "id": "SO-9"})
    move(tenant, kind="transfer", sku="YOG", quantity="3", from_location="FG", to_location="LINE", lot="B-2")
    move(tenant, kind="issue", sku="YOG", quantity="2", from_location="LINE", lot="B-2", reason="shipment",
         reference={"type": "sales_order", "id": "SO-10"})
    forward = created(tenant.get("/api/v1/food/recall/M1"), 200)
    assert [(c["lot"], c["batch"]) for c in forward["root"]["children"]] == [("B-1", "B-1"), ("B-2", "B-2")]
    assert forward["batches"] == ["B-1", "B-2"] and forward["lots"] == 3
    assert forward["destinations"] == ["sales_order SO-10", "sales_order SO-9"]
    assert forward["on_hand"] == {"MILK": "0", "YOG": "23"}  # B-1 5 + B-2 18
    only_m2 = created(tenant.get("/api/v1/food/recall/M2", params={"sku": "MILK"}), 200)
    assert [c["lot"] for c in only_m2["root"]["children"]] == ["B-2"]
    assert only_m2["destinations"] == ["sales_order SO-10"]
    backward = created(tenant.get("/api/v1/food/recall/B-2", params={"direction": "backward"}), 200)
    assert sorted(c["lot"] for c in backward["root"]["children"]) == ["C1", "M1", "M2"]
    table = tenant.get("/api/v1/food/recall/M1", params={"format": "csv"})
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    lines = table.text.splitlines()
    assert lines[0].startswith("depth,sku,lot,via_batch")
    assert any(line.startswith("1,YOG,B-1,B-1,") and "sales_order SO-9" in line for line in lines)
    assert tenant.get("/api/v1/food/recall/M1", params={"direction": "sideways"}).status_code == 400
    assert tenant.get("/api/v1/food/recall/NOPE").status_code == 404
    assert post_move(tenant, kind="issue", sku="YOG", quantity="1", from_location="FG", lot="B-1").status_code == 201
