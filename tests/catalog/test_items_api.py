"""Items over the API: CRUD by id and by sku, list filters, and bad input on every field."""

from __future__ import annotations

import pytest

from tests.support import TenantHandle

TABLE = {"sku": "TABLE-1", "name": "Dining table", "kind": "make", "lead_time_days": 2,
         "safety_stock": "5.25", "lot_sizing": {"rule": "fixed", "quantity": 20, "multiple": 5},
         "standard_cost": "99.90", "tracking": "lot", "shelf_life_days": 30}


def test_create_read_update_delete_by_id_and_sku(tenant: TenantHandle) -> None:
    created = tenant.post("/api/v1/items", json=TABLE)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["safety_stock"] == "5.25" and item["standard_cost"] == "99.9"
    assert item["lot_sizing"] == {"rule": "fixed", "quantity": 20, "multiple": 5}
    assert tenant.get(f"/api/v1/items/{item['id']}").json()["sku"] == "TABLE-1"
    assert tenant.get("/api/v1/items/TABLE-1").json()["id"] == item["id"]

    changed = tenant.patch("/api/v1/items/TABLE-1", json={"name": "Oak table", "lead_time_days": 4})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Oak table" and changed.json()["lead_time_days"] == 4
    assert changed.json()["safety_stock"] == "5.25"  # untouched fields stay

    assert tenant.delete(f"/api/v1/items/{item['id']}").status_code == 204
    assert tenant.get("/api/v1/items/TABLE-1").status_code == 404


def test_duplicate_sku_is_409(tenant: TenantHandle) -> None:
    assert tenant.post("/api/v1/items", json=TABLE).status_code == 201
    again = tenant.post("/api/v1/items", json={**TABLE, "name": "Other"})
    assert again.status_code == 409 and again.json()["field"] == "sku"
    assert tenant.get("/api/v1/items").json()["total"] == 1


def test_same_sku_in_two_tenants_is_fine(tenant: TenantHandle, other_tenant: TenantHandle) -> None:
    assert tenant.post("/api/v1/items", json=TABLE).status_code == 201
    assert other_tenant.post("/api/v1/items", json=TABLE).status_code == 201


def test_list_filters_and_pagination(tenant: TenantHandle) -> None:
    for n in range(7):
        kind = "make" if n % 2 else "buy"
        answer = tenant.post("/api/v1/items", json={"sku": f"P-{n}", "name": f"Part {n}", "kind": kind})
        assert answer.status_code == 201
    tenant.post("/api/v1/items", json={"sku": "BOLT", "name": "Hex bolt"})
    page = tenant.get("/api/v1/items", params={"limit": 3, "offset": 3}).json()
    assert page["total"] == 8 and [i["sku"] for i in page["items"]] == ["P-2", "P-3", "P-4"]
    assert tenant.get("/api/v1/items", params={"kind": "make"}).json()["total"] == 3
    found = tenant.get("/api/v1/items", params={"q": "hex"}).json()
    assert [i["sku"] for i in found["items"]] == ["BOLT"]
    # LIKE wildcards in the search are literal characters, not patterns.
    assert tenant.get("/api/v1/items", params={"q": "%"}).json()["total"] == 0


@pytest.mark.parametrize(("patch", "field", "status"), [
    ({"sku": ""}, "sku", 422),
    ({"name": "   "}, "name", 422),
    ({"sku": "x" * 65}, "sku", 422),
    ({"uom": "PARSEC"}, "uom", 422),
    ({"kind": "steal"}, "kind", 400),
    ({"lead_time_days": -1}, "lead_time_days", 422),
    ({"lead_time_days": "soon"}, "lead_time_days", 400),
    ({"safety_stock": "-3"}, "safety_stock", 422),
    ({"safety_stock": "abc"}, "safety_stock", 400),
    ({"standard_cost": "1e20"}, "standard_cost", 422),
    ({"standard_cost": "0.0000001"}, "standard_cost", 422),
    ({"tracking": "rfid"}, "tracking", 400),
    ({"shelf_life_days": -5}, "shelf_life_days", 422),
    ({"allow_negative_stock": "maybe"}, "allow_negative_stock", 400),
    ({"lot_sizing": {"rule": "guess"}}, "lot_sizing.rule", 422),
    ({"lot_sizing": {"rule": "fixed"}}, "lot_sizing.quantity", 422),
    ({"lot_sizing": {"rule": "fixed", "quantity": 0}}, "lot_sizing.quantity", 422),
    ({"lot_sizing": {"rule": "poq", "periods": 0}}, "lot_sizing.periods", 422),
    ({"lot_sizing": {"rule": "eoq", "annual_demand": 100, "setup_cost": 5}},
     "lot_sizing.holding_cost_per_unit_year", 422),
    ({"lot_sizing": {"rule": "silver_meal", "setup_cost": 100}}, "lot_sizing.holding_cost", 422),
    ({"lot_sizing": {"rule": "fixed", "quantity": 5, "minimum": 10, "maximum": 2}},
     "lot_sizing.maximum", 422),
    ({"lot_sizing": {"rule": "fixed", "quantity": 5, "colour": 1}}, "lot_sizing.colour", 400),
    ({"colour": "red"}, "colour", 400),
])
def test_bad_item_input_names_the_field_and_saves_nothing(
    tenant: TenantHandle, patch: dict[str, object], field: str, status: int
) -> None:
    answer = tenant.post("/api/v1/items", json={"sku": "OK-1", "name": "ok", **patch})
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field
    assert tenant.get("/api/v1/items").json()["total"] == 0
    # The same bad value on update is refused too and leaves the item as it was.
    assert tenant.post("/api/v1/items", json={"sku": "OK-2", "name": "ok"}).status_code == 201
    update = {k: v for k, v in patch.items()}
    answer = tenant.patch("/api/v1/items/OK-2", json=update)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["field"] == field
    assert tenant.get("/api/v1/items/OK-2").json()["name"] == "ok"


def test_malformed_json_is_400_not_500(tenant: TenantHandle) -> None:
    answer = tenant.client.post("/api/v1/items", content=b"{not json",
                                headers={**tenant.headers, "content-type": "application/json"})
    assert answer.status_code == 400


def test_all_cost_based_rules_and_lists_accepted(tenant: TenantHandle) -> None:
    for n, rule in enumerate(["least_unit_cost", "least_total_cost", "silver_meal", "wagner_whitin"]):
        answer = tenant.post("/api/v1/items", json={
            "sku": f"C{n}", "name": rule,
            "lot_sizing": {"rule": rule, "setup_cost": 100, "holding_cost": [1, 1, 2]}})
        assert answer.status_code == 201, answer.text
        assert answer.json()["lot_sizing"]["holding_cost"] == [1, 1, 2]


def test_viewer_role_cannot_write(tenant: TenantHandle, owner_engine: object) -> None:
    from sqlalchemy import text

    with owner_engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE membership SET role = 'viewer' WHERE user_id = :u"),
                     {"u": tenant.user_id})
    answer = tenant.post("/api/v1/items", json={"sku": "V", "name": "v"})
    assert answer.status_code == 403
    assert "viewer" in answer.json()["detail"]
    assert tenant.get("/api/v1/items").status_code == 200
