"""Locations: a tree per plant, codes unique per plant, kinds in their place."""

from __future__ import annotations

import pytest

from tests.support import TenantHandle

NOBODY = "00000000-0000-0000-0000-000000000001"


def _make_tree(tenant: TenantHandle) -> dict[str, str]:
    wh = tenant.post("/api/v1/locations", json={"code": "wh1", "name": "Main", "kind": "warehouse"})
    assert wh.status_code == 201, wh.text
    zone = tenant.post("/api/v1/locations", json={
        "code": "RAW", "name": "Raw", "kind": "zone", "parent_id": wh.json()["id"]})
    assert zone.status_code == 201, zone.text
    bin_ = tenant.post("/api/v1/locations", json={
        "code": "RAW-01", "name": "Bin 1", "kind": "bin", "parent_id": zone.json()["id"]})
    assert bin_.status_code == 201, bin_.text
    return {"wh": wh.json()["id"], "zone": zone.json()["id"], "bin": bin_.json()["id"]}


def test_tree_crud(tenant: TenantHandle) -> None:
    ids = _make_tree(tenant)
    wh = tenant.get(f"/api/v1/locations/{ids['wh']}").json()
    assert wh["code"] == "WH1" and wh["plant_id"] == str(tenant.plant_id)
    children = tenant.get("/api/v1/locations", params={"parent_id": ids["zone"]}).json()
    assert [c["code"] for c in children["items"]] == ["RAW-01"]
    renamed = tenant.patch(f"/api/v1/locations/{ids['bin']}", json={"name": "Bin one"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Bin one"
    # A zone with a bin in it cannot go; the bin can, then the zone can.
    assert tenant.delete(f"/api/v1/locations/{ids['zone']}").status_code == 409
    assert tenant.delete(f"/api/v1/locations/{ids['bin']}").status_code == 204
    assert tenant.delete(f"/api/v1/locations/{ids['zone']}").status_code == 204
    assert tenant.get("/api/v1/locations").json()["total"] == 1


def test_code_unique_per_plant(tenant: TenantHandle) -> None:
    _make_tree(tenant)
    again = tenant.post("/api/v1/locations", json={"code": "WH1", "name": "x", "kind": "warehouse"})
    assert again.status_code == 409 and again.json()["field"] == "code"


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"code": "B", "name": "b", "kind": "bin"}, "parent_id", 422),
    ({"code": "Z", "name": "z", "kind": "zone", "parent_id": "PARENT_BIN"}, "parent_id", 422),
    ({"code": "W", "name": "w", "kind": "warehouse", "parent_id": NOBODY}, "parent_id", 422),
    ({"code": "", "name": "w", "kind": "warehouse"}, "code", 422),
    ({"code": "W", "name": "w", "kind": "shelf"}, "kind", 400),
    ({"code": "W", "name": "w", "kind": "warehouse", "plant_id": NOBODY}, "plant_id", 422),
    ({"code": "W", "name": "w", "kind": "warehouse", "parent_id": "nope"}, "parent_id", 400),
    ({"name": "w", "kind": "warehouse"}, "code", 400),
])
def test_bad_location_input(tenant: TenantHandle, body: dict[str, str], field: str, status: int) -> None:
    ids = _make_tree(tenant)
    if body.get("parent_id") == "PARENT_BIN":
        body = {**body, "parent_id": ids["bin"]}
    answer = tenant.post("/api/v1/locations", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert tenant.get("/api/v1/locations").json()["total"] == 3


def test_location_patch_refuses_other_fields(tenant: TenantHandle) -> None:
    ids = _make_tree(tenant)
    answer = tenant.patch(f"/api/v1/locations/{ids['bin']}", json={"kind": "zone"})
    assert answer.status_code == 400 and answer.json()["field"] == "kind"
