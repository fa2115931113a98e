"""Plain moves posted in one call to the database (core.inventory.plain_posting).

The one-call posting must be indistinguishable from the general path: random sequences of
moves are posted both ways, for both valuation methods, and every answer, refusal, move,
layer, layer use, balance and position is compared digit for digit. Then: which moves go
which way, and a posting the function gives up on after writing leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core import db
from core.errors import DomainError
from core.inventory.move_types import MovePosted, MoveRequest
from core.inventory.plain_posting import paths
from core.inventory.posting import post_move, post_stock_move
from core.inventory.valuation_math import money
from tests.inventory.ledger_support import make_item, make_site, move
from tests.support import TenantHandle

BINS = ("B1", "B2")
QUANTITY = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(40), places=3)
COST = st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(90), places=4)


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    """One move of any kind between the two bins (issues may ask for more than there is)."""
    kind = draw(st.sampled_from(["receipt", "receipt", "issue", "issue", "transfer", "adjustment", "scrap"]))
    here, there = draw(st.permutations(BINS))
    step: dict[str, Any] = {"kind": kind, "quantity": draw(QUANTITY)}
    inbound = kind == "receipt" or (kind == "adjustment" and draw(st.booleans()))
    if inbound:
        step.update(to_location=here, unit_cost=draw(COST))
    else:
        step["from_location"] = here
        if kind == "transfer":
            step["to_location"] = there
    return step


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    return tenant


def _both_items(tenant: TenantHandle) -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    for sku in (f"P-{tag}", f"G-{tag}"):
        make_item(tenant, sku, standard_cost="2.5")
    return f"P-{tag}", f"G-{tag}"


def _general(tenant: TenantHandle, request: MoveRequest) -> MovePosted:
    with db.tenant_session(tenant.tenant_id, tenant.user_id) as session:
        return post_move(session, tenant.tenant_id, request, tenant.user_id)


def _outcome(post: Callable[[], MovePosted], sku: str) -> tuple[Any, ...]:
    """What a posting answered, with the item's sku taken out."""
    try:
        posted = post()
    except DomainError as refusal:
        return ("refused", type(refusal).__name__, refusal.field, str(refusal).replace(sku, "SKU"))
    view = posted.move
    return ("posted", posted.created, view.kind, view.quantity, view.from_location_code, view.to_location_code,
            view.unit_cost, view.total_cost, view.cost_variance, view.lot_id, view.serials)


STATE = {
    "balances": "SELECT l.code, b.quantity FROM stock_balance b JOIN location l ON l.id = b.location_id "
                "WHERE b.item_id = :item ORDER BY l.code",
    "position": "SELECT method, quantity, value, last_unit_cost FROM item_valuation WHERE item_id = :item",
    "layers": "SELECT quantity, unit_cost, remaining, remaining_value FROM cost_layer WHERE item_id = :item "
              "ORDER BY seq",
    "uses": "SELECT u.quantity, u.value, l.quantity FROM cost_layer_use u JOIN stock_move m ON m.id = u.move_id "
            "JOIN cost_layer l ON l.id = u.layer_id WHERE m.item_id = :item ORDER BY m.seq, l.seq",
    "moves": "SELECT kind, quantity, unit_cost, total_cost, cost_variance, from_location_id IS NULL, "
             "to_location_id IS NULL FROM stock_move WHERE item_id = :item ORDER BY seq",
}


def _state(tenant: TenantHandle, sku: str) -> dict[str, list[tuple[Any, ...]]]:
    with db.tenant_session(tenant.tenant_id) as session:
        item = session.execute(text("SELECT id FROM item WHERE sku = :sku"), {"sku": sku}).scalar_one()
        return {name: [tuple(r) for r in session.execute(text(sql), {"item": item})] for name, sql in STATE.items()}


def _compare_ways(tenant: TenantHandle, sequence: list[dict[str, Any]]) -> None:
    plain_sku, general_sku = _both_items(tenant)
    before = paths["plain"]
    for n, step in enumerate(sequence):
        plain_request = MoveRequest(sku=plain_sku, idempotency_key=f"{plain_sku}-{n}", **step)
        general_request = MoveRequest(sku=general_sku, idempotency_key=f"{general_sku}-{n}", **step)
        plain = _outcome(partial(post_stock_move, tenant.tenant_id, plain_request, tenant.user_id), plain_sku)
        general = _outcome(partial(_general, tenant, general_request), general_sku)
        assert plain == general, (n, step)
    assert paths["plain"] > before  # the one-call way was taken
    assert _state(tenant, plain_sku) == _state(tenant, general_sku)


def _opening(quantity: Decimal, unit_cost: Decimal | None) -> list[dict[str, Any]]:
    """Stock in both bins (the first move into a bin creates its balance row: the general
    path does that), then a transfer between them, which goes the one-call way."""
    return [{"kind": "receipt", "quantity": quantity, "to_location": "B1", "unit_cost": unit_cost},
            {"kind": "receipt", "quantity": quantity, "to_location": "B2", "unit_cost": unit_cost},
            {"kind": "transfer", "quantity": Decimal(1), "from_location": "B1", "to_location": "B2"}]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(steps(), min_size=4, max_size=16))
def test_fifo_plain_postings_equal_the_general_path(site: TenantHandle, sequence: list[dict[str, Any]]) -> None:
    _compare_ways(site, [*_opening(Decimal(5), None), *sequence])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(steps(), min_size=4, max_size=16))
def test_moving_average_plain_postings_equal_the_general_path(site: TenantHandle,
                                                               sequence: list[dict[str, Any]]) -> None:
    answer = site.request("PUT", "/api/v1/inventory/settings", json={"valuation_method": "moving_average"})
    assert answer.status_code == 200, answer.text
    _compare_ways(site, [*_opening(Decimal(7), Decimal("1.333333")), *sequence])


def test_ties_round_half_even_in_the_database(site: TenantHandle) -> None:
    """Costs that land exactly between two micro-units: both ways round to the even one."""
    sequence: list[dict[str, Any]] = [
        {"kind": "receipt", "quantity": Decimal("0.5"), "to_location": "B2", "unit_cost": Decimal("0.000003")},
        {"kind": "receipt", "quantity": Decimal("0.5"), "to_location": "B1", "unit_cost": Decimal("0.000003")},
        {"kind": "receipt", "quantity": Decimal("2"), "to_location": "B1", "unit_cost": Decimal("0.0000025")},
        {"kind": "issue", "quantity": Decimal("0.25"), "from_location": "B1"},
        {"kind": "issue", "quantity": Decimal("2"), "from_location": "B1"},
    ]
    _compare_ways(site, sequence)
    assert money(Decimal("0.5") * Decimal("0.000003")) == Decimal("0.000002")  # 0.0000015: to even


def _way(post: Callable[[], Any]) -> str:
    before = dict(paths)
    try:
        post()
    except DomainError:
        pass
    return next(way for way in ("plain", "general") if paths[way] != before.get(way, 0))


def test_which_moves_go_which_way(site: TenantHandle) -> None:
    make_item(site, "NUT", standard_cost="1")
    make_item(site, "FLOUR", tracking="lot")

    def post(**body: Any) -> Callable[[], MovePosted]:
        body.setdefault("idempotency_key", uuid.uuid4().hex)
        return lambda: post_stock_move(site.tenant_id, MoveRequest(**body), site.user_id)

    first = post(kind="receipt", sku="NUT", quantity=Decimal(10), to_location="B1")
    assert _way(first) == "general"  # the item's first move creates its balance and valuation rows
    receipt = post(kind="receipt", sku="NUT", quantity=Decimal(10), to_location="b1", idempotency_key="r1")
    assert _way(receipt) == "plain"  # codes are matched as the general path matches them
    assert _way(receipt) == "general"  # a repeat: the general path replays it
    assert _way(post(kind="issue", sku="NUT", quantity=Decimal(50), from_location="B1")) == "general"  # short
    assert _way(post(kind="receipt", sku="FLOUR", quantity=Decimal(1), to_location="B1", lot="L1")) == "general"
    assert _way(post(kind="receipt", sku="NO-SUCH", quantity=Decimal(1), to_location="B1")) == "general"
    transfer = post(kind="transfer", sku="NUT", quantity=Decimal(1), from_location="B1", to_location="B2")
    assert _way(transfer) == "general"  # the first move into B2 creates its balance row
    transfer = post(kind="transfer", sku="NUT", quantity=Decimal(1), from_location="B1", to_location="B2")
    assert _way(transfer) == "plain"
    assert site.post("/api/v1/plugins/food_fifo/enable").status_code == 200  # it watches postings
    assert _way(post(kind="issue", sku="NUT", quantity=Decimal(1), from_location="B1")) == "general"


def test_a_move_given_up_after_writing_leaves_nothing(site: TenantHandle) -> None:
    make_item(site, "PIN", standard_cost="1")
    move(site, kind="receipt", sku="PIN", quantity="3", to_location="B1")
    move(site, kind="receipt", sku="PIN", quantity="1", to_location="B2")
    before = _state(site, "PIN")
    short = MoveRequest(kind="transfer", sku="PIN", quantity=Decimal(4), from_location="B1", to_location="B2",
                        idempotency_key="t1")
    with pytest.raises(DomainError) as refused:
        post_stock_move(site.tenant_id, short, site.user_id)
    assert refused.value.field == "quantity" and "available 3, requested 4" in str(refused.value)
    assert _state(site, "PIN") == before  # both balances changed inside the function, then rolled back
