"""The posting service other features call: inside the caller's transaction, refusals that
leave that transaction usable, idempotent repeats, and concurrent reversals."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from core import db
from core.errors import Conflict, DomainError, InvalidInput
from core.inventory.errors import InsufficientStock
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_move, post_stock_move, reverse_move
from tests.inventory.ledger_support import make_item, make_site, move, on_hand
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "BOLT", standard_cost="2")
    return tenant


def _receipt(key: str, quantity: str = "5") -> MoveRequest:
    return MoveRequest(kind="receipt", sku="BOLT", quantity=Decimal(quantity), to_location="B1", idempotency_key=key)


def test_post_move_commits_with_the_callers_transaction(site: TenantHandle) -> None:
    with pytest.raises(RuntimeError), db.tenant_session(site.tenant_id, site.user_id) as session:
        posted = post_move(session, site.tenant_id, _receipt("k1"), site.user_id)
        assert posted.created and posted.move.total_cost == Decimal(10)
        raise RuntimeError("the caller fails after posting")
    assert on_hand(site, "BOLT") == 0  # rolled back with the caller
    with db.tenant_session(site.tenant_id, site.user_id) as session:
        post_move(session, site.tenant_id, _receipt("k1"), site.user_id)
    assert on_hand(site, "BOLT") == 5


def test_a_refusal_leaves_the_callers_transaction_usable(site: TenantHandle) -> None:
    issue = MoveRequest(kind="issue", sku="BOLT", quantity=Decimal(9), from_location="B1", idempotency_key="i1")
    with db.tenant_session(site.tenant_id, site.user_id) as session:
        post_move(session, site.tenant_id, _receipt("r1"), site.user_id)
        with pytest.raises(InsufficientStock) as refused:
            post_move(session, site.tenant_id, issue, site.user_id)
        assert refused.value.details["available"] == "5"
        with pytest.raises(InvalidInput):
            post_move(session, site.tenant_id, _receipt("r2", "-1"), site.user_id)
        post_move(session, site.tenant_id, _receipt("r3"), site.user_id)  # the transaction goes on
    assert on_hand(site, "BOLT") == 10


def test_service_repeats_are_idempotent(site: TenantHandle) -> None:
    first = post_stock_move(site.tenant_id, _receipt("same"), site.user_id)
    again = post_stock_move(site.tenant_id, _receipt("same"), site.user_id)
    assert first.created and not again.created and again.move.id == first.move.id
    with pytest.raises(Conflict) as clash:
        post_stock_move(site.tenant_id, _receipt("same", "6"), site.user_id)
    assert clash.value.field == "idempotency_key"
    with db.tenant_session(site.tenant_id, site.user_id) as session:
        inner = post_move(session, site.tenant_id, _receipt("same"), site.user_id)
        undo = reverse_move(session, site.tenant_id, first.move.id, "undo", None, site.user_id)
    assert inner.move.id == first.move.id and undo.move.reverses_move_id == first.move.id
    assert on_hand(site, "BOLT") == 0


def test_concurrent_reversals_reverse_once(site: TenantHandle, live_server: Any) -> None:
    original = move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B1")
    answers: list[int] = []
    start = threading.Barrier(6)

    def client(n: int) -> None:
        with httpx.Client(base_url=live_server.url, headers=site.headers, timeout=60) as http:
            start.wait()
            answer = http.post(f"/api/v1/stock-moves/{original['id']}/reverse",
                               json={"idempotency_key": f"undo-{n}"})
            answers.append(answer.status_code)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] + [409] * 5
    assert on_hand(site, "BOLT") == 0


def test_unknown_tenant_data_is_never_reached(site: TenantHandle, other_tenant: TenantHandle) -> None:
    with pytest.raises(DomainError):
        post_stock_move(other_tenant.tenant_id, _receipt(uuid.uuid4().hex), other_tenant.user_id)
