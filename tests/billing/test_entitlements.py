"""Plan limits on every path that creates plants, users or enables plugins: 403 naming the
limit and the plan that lifts it, and nothing written."""

from __future__ import annotations

import httpx
import pytest

from core.billing.plans import PLANS, TRIAL_DAYS, get_plan, plan_lifting
from core.errors import InvalidInput
from tests.support import PASSWORD, TenantHandle, sign_up


def test_plans_are_defined_in_one_place() -> None:
    assert [(p.name, p.max_plants, p.max_users, p.max_plugins) for p in PLANS.values()] == [
        ("Starter", 1, 5, 1), ("Growth", 5, 25, 3), ("Enterprise", None, None, None)]
    assert all(p.price_per_plant_cents > 0 for p in PLANS.values())
    assert TRIAL_DAYS == 14
    assert plan_lifting("max_plants", 2) == PLANS["growth"]
    assert plan_lifting("max_plants", 6) == PLANS["enterprise"]
    with pytest.raises(InvalidInput) as err:
        get_plan("platinum")
    assert err.value.field == "plan"


def test_starter_allows_one_plant(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/plants", json={"name": "Second plant"})
    assert answer.status_code == 403, answer.text
    body = answer.json()
    assert "Starter plan allows 1 plant" in body["detail"]
    assert "Growth" in body["detail"] and body["field"] == "plan"
    assert len(tenant.get("/api/v1/plants").json()["items"]) == 1


def test_growth_allows_five_plants(http: httpx.Client) -> None:
    tenant = _sign_up_on(http, "growth")
    for n in range(2, 6):
        answer = tenant.post("/api/v1/plants", json={"name": f"Plant {n}"})
        assert answer.status_code == 201, answer.text
    refused = tenant.post("/api/v1/plants", json={"name": "Plant 6"})
    assert refused.status_code == 403
    assert "Growth plan allows 5 plants" in refused.json()["detail"]
    assert "Enterprise" in refused.json()["detail"]
    assert len(tenant.get("/api/v1/plants").json()["items"]) == 5


def test_plant_bad_input(http: httpx.Client) -> None:
    tenant = _sign_up_on(http, "enterprise")
    assert tenant.post("/api/v1/plants", json={"name": "  "}).json()["field"] == "name"
    assert tenant.post("/api/v1/plants", json={}).json()["field"] == "name"
    assert tenant.post("/api/v1/plants", json={"name": "x" * 201}).status_code == 422
    first = tenant.get("/api/v1/plants").json()["items"][0]["name"]
    dup = tenant.post("/api/v1/plants", json={"name": first})
    assert dup.status_code == 409 and dup.json()["field"] == "name"


def test_starter_allows_one_plugin(tenant: TenantHandle) -> None:
    assert tenant.post("/api/v1/plugins/vmi/enable").status_code == 200
    answer = tenant.post("/api/v1/plugins/food_fifo/enable")
    assert answer.status_code == 403
    assert "Starter plan allows 1 plugin" in answer.json()["detail"]
    assert "Growth plan allows 3 plugins" in answer.json()["detail"]
    enabled = [p["name"] for p in tenant.get("/api/v1/plugins").json()["items"] if p["enabled"]]
    assert enabled == ["vmi"]
    # Disabling frees the slot.
    assert tenant.post("/api/v1/plugins/vmi/disable").status_code == 200
    assert tenant.post("/api/v1/plugins/food_fifo/enable").status_code == 200


def test_signup_with_unknown_plan_names_the_field(http: httpx.Client) -> None:
    answer = http.post("/api/v1/signup", json={
        "company": "C", "plant": "P", "email": "plan-x@example.com", "password": PASSWORD,
        "plan": "platinum"})
    assert answer.status_code == 422 and answer.json()["field"] == "plan"


def _sign_up_on(http: httpx.Client, plan: str) -> TenantHandle:
    return sign_up(http, plan=plan)


def test_remove_plant_rules(http: httpx.Client) -> None:
    tenant = _sign_up_on(http, "growth")
    only = tenant.get("/api/v1/plants").json()["items"][0]["id"]
    last = tenant.delete(f"/api/v1/plants/{only}")
    assert last.status_code == 409 and "at least one plant" in last.json()["detail"]
    extra = tenant.post("/api/v1/plants", json={"name": "Annex"}).json()
    tenant.post("/api/v1/locations", json={"code": "ANX", "name": "Annex wh", "kind": "warehouse",
                                           "plant_id": extra["id"]})
    used = tenant.delete(f"/api/v1/plants/{extra['id']}")
    assert used.status_code == 409 and "locations" in used.json()["detail"]
    assert tenant.delete("/api/v1/plants/00000000-0000-0000-0000-000000000000").status_code == 404
