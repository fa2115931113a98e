"""Every API route, read from the OpenAPI document, called as each role: the roles the
README's matrix admits are let through (any answer but 401/403), all others get 403.

A route missing from :data:`MATRIX` fails the test: whoever adds a route decides (and
documents in the README) who may call it.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from core.inventory.counts import APPROVERS, COUNTERS
from core.tenancy.roles import (
    BILLING_MANAGERS,
    CATALOG_WRITERS,
    INVENTORY_WRITERS,
    PLANNERS,
    READERS,
    TENANT_ADMINS,
    Role,
)
from tests.support import TenantHandle, add_member, sign_up

EVERYONE = frozenset(Role)
QA_ONLY = frozenset({Role.QA})
LAB_WRITERS = INVENTORY_WRITERS | {Role.QA}
#: Plugins whose routes the matrix covers; the matrix tenant enables them all.
INDUSTRY_PLUGINS = ("food_fifo", "pharma_lab")
PUBLIC = {"/api/v1/signup", "/api/v1/auth/token", "/api/v1/invitations/preview",
          "/api/v1/invitations/accept", "/api/v1/billing/stripe/webhook"}

MATRIX: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/items"): READERS,
    ("POST", "/api/v1/items"): CATALOG_WRITERS,
    ("GET", "/api/v1/items/export"): READERS,
    ("POST", "/api/v1/items/import"): CATALOG_WRITERS,
    ("GET", "/api/v1/items/{ref}"): READERS,
    ("PATCH", "/api/v1/items/{ref}"): CATALOG_WRITERS,
    ("DELETE", "/api/v1/items/{ref}"): CATALOG_WRITERS,
    ("GET", "/api/v1/locations"): READERS,
    ("POST", "/api/v1/locations"): CATALOG_WRITERS,
    ("GET", "/api/v1/locations/{location_id}"): READERS,
    ("PATCH", "/api/v1/locations/{location_id}"): CATALOG_WRITERS,
    ("DELETE", "/api/v1/locations/{location_id}"): CATALOG_WRITERS,
    ("GET", "/api/v1/plants"): READERS,
    ("POST", "/api/v1/plants"): TENANT_ADMINS,
    ("GET", "/api/v1/plants/{plant_id}"): READERS,
    ("DELETE", "/api/v1/plants/{plant_id}"): TENANT_ADMINS,
    ("GET", "/api/v1/plugins"): READERS,
    ("POST", "/api/v1/plugins/{name}/enable"): TENANT_ADMINS,
    ("POST", "/api/v1/plugins/{name}/disable"): TENANT_ADMINS,
    ("GET", "/api/v1/jobs/{job_id}"): READERS,
    ("GET", "/api/v1/members"): READERS,
    ("PATCH", "/api/v1/members/{user_id}"): TENANT_ADMINS,
    ("DELETE", "/api/v1/members/{user_id}"): TENANT_ADMINS,
    ("GET", "/api/v1/invitations"): TENANT_ADMINS,
    ("POST", "/api/v1/invitations"): TENANT_ADMINS,
    ("DELETE", "/api/v1/invitations/{invitation_id}"): TENANT_ADMINS,
    ("GET", "/api/v1/audit"): TENANT_ADMINS,
    ("GET", "/api/v1/api-keys"): TENANT_ADMINS,
    ("POST", "/api/v1/api-keys"): TENANT_ADMINS,
    ("DELETE", "/api/v1/api-keys/{key_id}"): TENANT_ADMINS,
    ("GET", "/api/v1/sso"): TENANT_ADMINS,
    ("PUT", "/api/v1/sso"): TENANT_ADMINS,
    ("GET", "/api/v1/billing"): BILLING_MANAGERS,
    ("POST", "/api/v1/billing/plan"): BILLING_MANAGERS,
    ("POST", "/api/v1/billing/cancel"): BILLING_MANAGERS,
    ("POST", "/api/v1/billing/checkout"): BILLING_MANAGERS,
    ("POST", "/api/v1/billing/portal"): BILLING_MANAGERS,
    ("GET", "/api/v1/billing/invoices"): BILLING_MANAGERS,
    # Planning: everyone reads; planners change demand and the plan.
    ("GET", "/api/v1/demands"): READERS,
    ("GET", "/api/v1/demands/{demand_id}"): READERS,
    ("GET", "/api/v1/forecasts"): READERS,
    ("GET", "/api/v1/items/{ref}/bom"): READERS,
    ("GET", "/api/v1/plants/{plant_id}/calendar"): READERS,
    ("GET", "/api/v1/mrp/runs"): READERS,
    ("GET", "/api/v1/mrp/runs/{run_id}"): READERS,
    ("GET", "/api/v1/mrp/runs/{run_id}/planned-orders"): READERS,
    ("GET", "/api/v1/mrp/runs/{run_id}/exceptions"): READERS,
    ("GET", "/api/v1/items/{ref}/mrp-record"): READERS,
    ("GET", "/api/v1/mrp/planned-orders/{order_id}/pegging"): READERS,
    ("GET", "/api/v1/mrp/alerts"): READERS,
    ("GET", "/api/v1/alerts"): READERS,
    ("POST", "/api/v1/demands"): PLANNERS,
    ("DELETE", "/api/v1/demands/{demand_id}"): PLANNERS,
    ("PUT", "/api/v1/forecasts"): PLANNERS,
    ("DELETE", "/api/v1/forecasts/{forecast_id}"): PLANNERS,
    ("PUT", "/api/v1/mps/firm"): PLANNERS,
    ("PUT", "/api/v1/items/{ref}/bom"): PLANNERS,
    ("PUT", "/api/v1/plants/{plant_id}/calendar"): PLANNERS,
    ("POST", "/api/v1/mrp/runs"): PLANNERS,
    ("POST", "/api/v1/mrp/planned-orders/{order_id}/firm"): PLANNERS,
    # Inventory: everyone reads (and scans); the stock people post.
    ("GET", "/api/v1/stock-moves"): READERS,
    ("GET", "/api/v1/stock-moves/{move_id}"): READERS,
    ("GET", "/api/v1/items/{ref}/history"): READERS,
    ("GET", "/api/v1/stock"): READERS,
    ("GET", "/api/v1/serials"): READERS,
    ("GET", "/api/v1/lots"): READERS,
    ("GET", "/api/v1/lots/{code}"): READERS,
    ("GET", "/api/v1/lots/{code}/trace"): READERS,
    ("GET", "/api/v1/reservations"): READERS,
    ("GET", "/api/v1/reservations/{reservation_id}"): READERS,
    ("GET", "/api/v1/inventory/settings"): READERS,
    ("GET", "/api/v1/valuation"): READERS,
    ("GET", "/api/v1/valuation/cogs"): READERS,
    ("GET", "/api/v1/counts"): READERS,
    ("GET", "/api/v1/counts/{count_id}"): READERS,
    ("GET", "/api/v1/abc"): READERS,
    ("GET", "/api/v1/reports/shrinkage"): READERS,
    ("GET", "/api/v1/kpis/inventory"): READERS,
    ("POST", "/api/v1/scan"): READERS,
    ("POST", "/api/v1/stock-moves"): INVENTORY_WRITERS,
    ("POST", "/api/v1/stock-moves/{move_id}/reverse"): INVENTORY_WRITERS,
    ("PATCH", "/api/v1/lots/{code}"): INVENTORY_WRITERS,
    ("POST", "/api/v1/reservations"): INVENTORY_WRITERS,
    ("POST", "/api/v1/reservations/{reservation_id}/release"): INVENTORY_WRITERS,
    ("PUT", "/api/v1/inventory/settings"): TENANT_ADMINS,
    ("POST", "/api/v1/counts"): COUNTERS,
    ("POST", "/api/v1/counts/{count_id}/lines"): COUNTERS,
    ("POST", "/api/v1/counts/{count_id}/submit"): COUNTERS,
    ("POST", "/api/v1/counts/{count_id}/cancel"): COUNTERS,
    ("GET", "/api/v1/counts/{count_id}/variances"): APPROVERS,
    ("POST", "/api/v1/counts/{count_id}/post"): APPROVERS,
    # Pharma lab: everyone reads; only QA signs QC decisions; stock people and QA keep lab data.
    ("GET", "/api/v1/pharma/qc-queue"): READERS,
    ("POST", "/api/v1/pharma/lots/{code}/release"): QA_ONLY,
    ("POST", "/api/v1/pharma/lots/{code}/reject"): QA_ONLY,
    ("GET", "/api/v1/pharma/lots/{code}/signatures"): READERS,
    ("GET", "/api/v1/pharma/lots/{code}/audit-trail"): READERS,
    ("GET", "/api/v1/pharma/lots/{code}"): READERS,
    ("POST", "/api/v1/pharma/lots/{code}/open"): LAB_WRITERS,
    ("POST", "/api/v1/pharma/lots/{code}/coa"): LAB_WRITERS,
    ("GET", "/api/v1/pharma/lots/{code}/coa"): READERS,
    ("GET", "/api/v1/pharma/reagents"): READERS,
    ("GET", "/api/v1/pharma/reagents/{ref}"): READERS,
    ("PUT", "/api/v1/pharma/reagents/{ref}"): LAB_WRITERS,
    ("GET", "/api/v1/pharma/assay-methods"): READERS,
    ("POST", "/api/v1/pharma/assay-methods"): LAB_WRITERS,
    ("GET", "/api/v1/pharma/assay-methods/{method_id}"): READERS,
    ("GET", "/api/v1/pharma/assay-runs"): READERS,
    ("POST", "/api/v1/pharma/assay-runs"): LAB_WRITERS,
    ("GET", "/api/v1/pharma/assay-runs/{assay_run_id}"): READERS,
    ("POST", "/api/v1/pharma/assay-runs/{assay_run_id}/run"): LAB_WRITERS,
    ("POST", "/api/v1/pharma/assay-runs/{assay_run_id}/cancel"): LAB_WRITERS,
    ("GET", "/api/v1/pharma/settings"): READERS,
    ("PUT", "/api/v1/pharma/settings"): TENANT_ADMINS,
    # Food plugin: everyone reads (QA included); the stock people post, admins set the window.
    ("GET", "/api/v1/food/settings"): READERS,
    ("PUT", "/api/v1/food/settings"): TENANT_ADMINS,
    ("GET", "/api/v1/food/policies"): READERS,
    ("PUT", "/api/v1/food/policies/{ref}"): CATALOG_WRITERS,
    ("GET", "/api/v1/food/pick-lists/issue"): READERS,
    ("GET", "/api/v1/food/pick-lists/batch"): READERS,
    ("POST", "/api/v1/food/receipts"): INVENTORY_WRITERS,
    ("GET", "/api/v1/food/expiry"): READERS,
    ("POST", "/api/v1/food/expiry/scan"): INVENTORY_WRITERS,
    ("GET", "/api/v1/food/batches"): READERS,
    ("POST", "/api/v1/food/batches"): INVENTORY_WRITERS,
    ("GET", "/api/v1/food/batches/{number}"): READERS,
    ("GET", "/api/v1/food/recall/{code}"): READERS,
    ("GET", "/api/v1/food/schedule"): READERS,
    ("POST", "/api/v1/food/schedule/confirm"): INVENTORY_WRITERS,
    ("GET", "/api/v1/food/reports/spoilage"): READERS,
}
#: Path values that name nothing in the tenant: admitted roles get 404/4xx, not a change.
PATH_VALUES = {"ref": "NO-SUCH-SKU", "name": "nonesuch"}


@pytest.fixture
def members(http: httpx.Client, owner_engine: Any) -> dict[Role, TenantHandle]:
    owner = sign_up(http, "Role Matrix Co", plan="enterprise")
    for plugin in INDUSTRY_PLUGINS:  # so their routes answer by role, not "not enabled"
        assert owner.post(f"/api/v1/plugins/{plugin}/enable").status_code == 200
    team = {Role.OWNER: owner}
    for role in Role:
        if role is not Role.OWNER:
            team[role] = add_member(owner, owner_engine, role.value)
    return team


def _fill(path: str, op: dict[str, Any]) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = PATH_VALUES.get(param["name"], str(uuid.uuid4()))
            path = path.replace("{" + param["name"] + "}", value)
    return path


def test_every_route_as_every_role(http: httpx.Client, members: dict[Role, TenantHandle]) -> None:
    spec = http.get("/schema/openapi.json").json()
    operations = [(method.upper(), path, op) for path, methods in spec["paths"].items()
                  if path.startswith("/api/v1/") and path not in PUBLIC
                  for method, op in methods.items()]
    unknown = [f"{m} {p}" for m, p, _ in operations if (m, p) not in MATRIX]
    assert unknown == [], f"routes without a row in the role matrix: {unknown}"
    problems: list[str] = []
    for method, template, op in operations:
        path = _fill(template, op)
        body: dict[str, Any] | None = {} if method in ("POST", "PATCH", "PUT") else None
        for role, member in members.items():
            status = member.request(method, path, json=body).status_code
            admitted = role in MATRIX[(method, template)]
            if status >= 500 or status == 401 or (status == 403) == admitted:
                problems.append(f"{role.value}: {method} {path} -> {status} "
                                f"(expected {'admitted' if admitted else '403'})")
    assert problems == []
