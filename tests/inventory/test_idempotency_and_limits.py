"""Idempotency keys, the never-below-zero rule with its 409, and negative stock where allowed."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.inventory.ledger_support import created, make_item, make_site, move, on_hand, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "BOLT", standard_cost="1")
    return tenant


def _moves(owner_engine: Any, tenant: TenantHandle) -> int:
    with owner_engine.connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM stock_move WHERE tenant_id = :t"),
                                  {"t": tenant.tenant_id}).scalar_one()
    return count


def test_same_key_same_body_returns_the_original(site: TenantHandle, owner_engine: Any) -> None:
    body = {"kind": "receipt", "sku": "BOLT", "quantity": "5", "to_location": "B1", "idempotency_key": "rcv-1"}
    first = post_move(site, **body)
    assert first.status_code == 201
    again = post_move(site, **{**body, "quantity": 5})  # the same number written differently
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert _moves(owner_engine, site) == 1 and on_hand(site, "BOLT") == 5


def test_same_key_other_body_is_409(site: TenantHandle, owner_engine: Any) -> None:
    body = {"kind": "receipt", "sku": "BOLT", "quantity": "5", "to_location": "B1", "idempotency_key": "rcv-1"}
    assert post_move(site, **body).status_code == 201
    other = post_move(site, **{**body, "quantity": "6"})
    assert other.status_code == 409 and other.json()["field"] == "idempotency_key"
    assert _moves(owner_engine, site) == 1 and on_hand(site, "BOLT") == 5


def test_keys_are_per_tenant(site: TenantHandle, other_tenant: TenantHandle) -> None:
    make_site(other_tenant)
    make_item(other_tenant, "BOLT")
    body = {"kind": "receipt", "sku": "BOLT", "quantity": "5", "to_location": "B1", "idempotency_key": "same"}
    assert post_move(site, **body).status_code == 201
    assert post_move(other_tenant, **body).status_code == 201


def test_concurrent_posts_with_one_key_post_once(site: TenantHandle, live_server: Any, owner_engine: Any) -> None:
    body = {"kind": "receipt", "sku": "BOLT", "quantity": "3", "to_location": "B1", "idempotency_key": "race"}
    answers: list[httpx.Response] = []
    start = threading.Barrier(8)

    def client() -> None:
        with httpx.Client(base_url=live_server.url, headers=site.headers, timeout=60) as http:
            start.wait()
            answers.append(http.post("/api/v1/stock-moves", json=body))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _moves(owner_engine, site) == 1 and on_hand(site, "BOLT") == 3


def test_balance_never_below_zero_and_the_409_says_why(site: TenantHandle, owner_engine: Any) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="4", to_location="B1")
    short = post_move(site, kind="issue", sku="BOLT", quantity="4.5", from_location="B1")
    assert short.status_code == 409
    body = short.json()
    assert body["item"] == "BOLT" and body["location"] == "B1" and body["lot"] is None
    assert body["available"] == "4" and body["requested"] == "4.5" and body["field"] == "quantity"
    assert "BOLT" in body["detail"] and "available 4" in body["detail"]
    nothing = post_move(site, kind="transfer", sku="BOLT", quantity="1", from_location="B2", to_location="B1")
    assert nothing.status_code == 409 and nothing.json()["available"] == "0"
    assert _moves(owner_engine, site) == 1  # nothing half-written
    assert on_hand(site, "BOLT", "B1") == 4 and on_hand(site, "BOLT", "B2") == 0


def test_negative_stock_where_the_item_allows_it(site: TenantHandle) -> None:
    make_item(site, "GLUE", allow_negative_stock=True, standard_cost="2")
    issued = move(site, kind="issue", sku="GLUE", quantity="3", from_location="B1")
    assert issued["total_cost"] == "6"  # costed at standard cost: nothing was ever received
    assert on_hand(site, "GLUE", "B1") == -3
    stock = created(site.get("/api/v1/stock", params={"sku": "GLUE"}), 200)
    assert stock["items"][0]["on_hand"] == "-3"
    move(site, kind="receipt", sku="GLUE", quantity="5", to_location="B1", unit_cost="2")
    assert on_hand(site, "GLUE") == Decimal(2)
