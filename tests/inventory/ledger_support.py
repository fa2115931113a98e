"""Helpers for the ledger tests: a small site (warehouse → zone → bins), items and postings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.support import TenantHandle


@dataclass
class Site:
    """A warehouse WH with zone Z and bins B1, B2 under it, and a second warehouse WH2."""

    tenant: TenantHandle
    wh: dict[str, Any]
    zone: dict[str, Any]
    b1: dict[str, Any]
    b2: dict[str, Any]
    wh2: dict[str, Any]


def created(answer: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def make_site(tenant: TenantHandle) -> Site:
    def loc(code: str, kind: str, parent: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {"code": code, "name": code, "kind": kind, "parent_id": parent["id"] if parent else None}
        return created(tenant.post("/api/v1/locations", json=body))

    wh = loc("WH", "warehouse")
    zone = loc("Z", "zone", wh)
    return Site(tenant, wh, zone, loc("B1", "bin", zone), loc("B2", "bin", zone), loc("WH2", "warehouse"))


def make_item(tenant: TenantHandle, sku: str, **fields: Any) -> dict[str, Any]:
    return created(tenant.post("/api/v1/items", json={"sku": sku, "name": f"Item {sku}", **fields}))


def post_move(tenant: TenantHandle, **body: Any) -> httpx.Response:
    """POST a move; a fresh idempotency key unless one is given; decimals sent as text."""
    body.setdefault("idempotency_key", uuid.uuid4().hex)
    for name in ("quantity", "unit_cost"):
        if isinstance(body.get(name), Decimal):
            body[name] = str(body[name])
    return tenant.post("/api/v1/stock-moves", json=body)


def move(tenant: TenantHandle, **body: Any) -> dict[str, Any]:
    """POST a move that must succeed (201)."""
    return created(post_move(tenant, **body))


def on_hand(tenant: TenantHandle, sku: str, location: str | None = None, lot: str | None = None) -> Decimal:
    """The item's total on hand (at ``location`` and below, in ``lot``)."""
    params = {k: v for k, v in {"sku": sku, "location": location, "lot": lot}.items() if v}
    report = created(tenant.get("/api/v1/stock", params=params), 200)
    return sum((Decimal(t["on_hand"]) for t in report["totals"]), Decimal(0))
