"""CSV import and export of items: row-level rejections, updates by sku, large files as jobs."""

from __future__ import annotations

from typing import Any

from tests.support import TenantHandle, wait_for_job

GOOD = """sku,name,kind,lead_time_days,safety_stock,lot_sizing_rule,lot_sizing_quantity,uom
BOLT-1,Hex bolt,buy,3,100,fixed,500,EA
NUT-1,Hex nut,buy,3,50,,,EA
"""


def _csv(tenant: TenantHandle, text: str) -> dict[str, Any]:
    answer = tenant.post("/api/v1/items/import", content=text.encode(),
                         headers={**tenant.headers, "content-type": "text/csv"})
    assert answer.status_code in (200, 202), answer.text
    return answer.json()


def test_import_creates_then_updates_by_sku(tenant: TenantHandle) -> None:
    result = _csv(tenant, GOOD)
    assert result["accepted_count"] == 2 and result["rejected_count"] == 0
    bolt = tenant.get("/api/v1/items/BOLT-1").json()
    assert bolt["lot_sizing"] == {"rule": "fixed", "quantity": 500}
    assert bolt["safety_stock"] == "100"
    again = _csv(tenant, "sku,name,lead_time_days\nBOLT-1,Hex bolt M8,9\n")
    assert again["accepted"] == [{"row": 2, "sku": "BOLT-1", "action": "updated"}]
    bolt = tenant.get("/api/v1/items/BOLT-1").json()
    assert bolt["name"] == "Hex bolt M8" and bolt["lead_time_days"] == 9
    assert bolt["lot_sizing"]["quantity"] == 500  # columns left out are left alone


def test_bad_rows_are_rejected_by_row_and_field_good_rows_kept(tenant: TenantHandle) -> None:
    text = ("sku,name,lead_time_days,kind,lot_sizing_rule,lot_sizing_periods\n"
            "A,Alpha,1,buy,,\n"
            "B,Beta,-2,buy,,\n"
            ",Nameless,1,buy,,\n"
            "C,Gamma,1,rent,,\n"
            "D,Delta,1,make,poq,\n"
            "E,Echo,1,make,poq,2\n")
    result = _csv(tenant, text)
    assert [a["sku"] for a in result["accepted"]] == ["A", "E"]
    rejected = {(r["row"], r["field"]) for r in result["rejected"]}
    assert rejected == {(3, "lead_time_days"), (4, "sku"), (5, "kind"), (6, "lot_sizing.periods")}
    assert tenant.get("/api/v1/items").json()["total"] == 2


def test_unknown_column_refuses_the_file(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/items/import", content=b"sku,name,colour\nA,a,red\n",
                         headers={**tenant.headers, "content-type": "text/csv"})
    assert answer.status_code == 422 and answer.json()["field"] == "colour"
    empty = tenant.post("/api/v1/items/import", content=b"",
                        headers={**tenant.headers, "content-type": "text/csv"})
    assert empty.status_code == 422 and empty.json()["field"] == "file"
    binary = tenant.post("/api/v1/items/import", content=b"\xff\xfe\x00bad",
                         headers={**tenant.headers, "content-type": "text/csv"})
    assert binary.status_code == 422 and binary.json()["field"] == "file"
    assert tenant.get("/api/v1/items").json()["total"] == 0


def test_multipart_upload(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/items/import", files={"file": ("items.csv", GOOD, "text/csv")})
    assert answer.status_code == 200 and answer.json()["accepted_count"] == 2


def test_export_round_trips_through_import(tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    _csv(tenant, GOOD)
    tenant.post("/api/v1/items", json={"sku": "SM", "name": "Silver", "lot_sizing": {
        "rule": "silver_meal", "setup_cost": 100, "holding_cost": [1, 2, 3]}})
    exported = tenant.get("/api/v1/items/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    result = _csv(other_tenant, exported.text)
    assert result["accepted_count"] == 3, result
    copy = other_tenant.get("/api/v1/items/SM").json()
    assert copy["lot_sizing"] == {"rule": "silver_meal", "setup_cost": 100, "holding_cost": [1, 2, 3]}


def test_large_file_runs_as_a_job_with_progress(tenant: TenantHandle) -> None:
    rows = "".join(f"SKU-{n:04d},Part {n},{n % 5}\n" for n in range(400))
    rows += "BAD,Bad row,-1\n"
    answer = tenant.post("/api/v1/items/import", content=("sku,name,lead_time_days\n" + rows).encode(),
                         headers={**tenant.headers, "content-type": "text/csv"})
    assert answer.status_code == 202, answer.text
    job = wait_for_job(tenant, answer.json()["job_id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100 and job["kind"] == "item_import"
    assert job["result"]["accepted_count"] == 400
    assert job["result"]["rejected"] == [
        {"row": 402, "field": "lead_time_days", "message": "lead_time_days must be between 0 and 3650"}]
    assert tenant.get("/api/v1/items").json()["total"] == 400
