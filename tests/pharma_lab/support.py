"""Shared set-up for the pharma lab tests: a lab tenant with the plugin, a store, reagents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from tests.support import PASSWORD, TenantHandle, add_member, sign_up

STORE = "LAB-STORE"


@dataclass
class Lab:
    owner: TenantHandle
    qa: TenantHandle


def lab_tenant(http: httpx.Client, name: str = "Lab Co") -> TenantHandle:
    """A tenant that enabled pharma_lab, with the lab store location."""
    owner = sign_up(http, name)
    enabled = owner.post("/api/v1/plugins/pharma_lab/enable")
    assert enabled.status_code == 200, enabled.text
    store(owner)
    return owner


def store(tenant: TenantHandle) -> None:
    made = tenant.post("/api/v1/locations", json={"code": STORE, "name": "Reagent store", "kind": "warehouse"})
    assert made.status_code == 201, made.text


def with_qa(owner: TenantHandle, owner_engine: Any) -> Lab:
    return Lab(owner, add_member(owner, owner_engine, "qa"))


def item(tenant: TenantHandle, sku: str, tracking: str = "lot", **fields: Any) -> dict[str, Any]:
    made = tenant.post("/api/v1/items", json={"sku": sku, "name": sku.title(), "tracking": tracking, **fields})
    assert made.status_code == 201, made.text
    return dict(made.json())


def receive(tenant: TenantHandle, sku: str, lot: str | None, quantity: str = "10",
            expiry: date | None = None) -> httpx.Response:
    body: dict[str, Any] = {"kind": "receipt", "sku": sku, "quantity": quantity, "to_location": STORE,
                            "idempotency_key": uuid.uuid4().hex}
    if lot:
        body["lot"] = lot
    if expiry:
        body["expiry_date"] = expiry.isoformat()
    return tenant.post("/api/v1/stock-moves", json=body)


def issue(tenant: TenantHandle, sku: str, quantity: str, lot: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"kind": "issue", "sku": sku, "quantity": quantity, "from_location": STORE,
                            "idempotency_key": uuid.uuid4().hex}
    if lot:
        body["lot"] = lot
    return tenant.post("/api/v1/stock-moves", json=body)


def sign(qa: TenantHandle, code: str, action: str = "release", password: str = PASSWORD,
         meaning: str = "QC release: approved for use", reason: str = "assay within specification") -> httpx.Response:
    return qa.post(f"/api/v1/pharma/lots/{code}/{action}",
                   json={"password": password, "meaning": meaning, "reason": reason})


def released(lab: Lab, sku: str, lot: str, quantity: str = "10", expiry: date | None = None) -> None:
    """Receive a lot and have QA release it."""
    assert receive(lab.owner, sku, lot, quantity, expiry).status_code == 201
    answer = sign(lab.qa, lot)
    assert answer.status_code == 201, answer.text


def lot_status(tenant: TenantHandle, code: str) -> str:
    return str(tenant.get(f"/api/v1/lots/{code}").json()["status"])
