"""Valuation: FIFO and moving average on worked examples, as-of values, COGS, negative stock.

Worked examples:

* the brief's: receive 10 @ 10 and 10 @ 20, issue 15 — FIFO leaves 5 units worth 100
  with COGS 200; moving average leaves 75 with COGS 225;
* a published perpetual FIFO example, "Example – FIFO Comparison with Multiple Sales:
  Periodic vs. Perpetual Inventory", https://americanpro.org/example-fifo-comparison-with-
  multiple-sales-periodic-vs-perpetual-inventory : 100 @ $10 on hand, buy 200 @ $11, sell
  150 (COGS $1,550), buy 150 @ $12, sell 200 (COGS $2,250); ending inventory 100 @ $12 =
  $1,200, total COGS $3,800.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.inventory.ledger_support import created, make_item, make_site, move, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "WIDGET", standard_cost="7")
    return tenant


def _value(tenant: TenantHandle, sku: str = "WIDGET", **params: str) -> dict[str, Any]:
    report = created(tenant.get("/api/v1/valuation", params={"sku": sku, **params}), 200)
    lines = report["items"]
    return lines[0] if lines else {"quantity": "0", "value": "0", "unit_cost": None}


def _cogs(tenant: TenantHandle, **params: str) -> dict[str, Any]:
    return created(tenant.get("/api/v1/valuation/cogs", params=params), 200)


def _use_moving_average(tenant: TenantHandle) -> None:
    answer = tenant.request("PUT", "/api/v1/inventory/settings", json={"valuation_method": "moving_average"})
    assert answer.status_code == 200 and answer.json()["valuation_method"] == "moving_average", answer.text


def test_fifo_brief_example(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B2", unit_cost="20")
    # 10 in B1 and 10 in B2: FIFO layers are per item, not per location.
    first = move(site, kind="issue", sku="WIDGET", quantity="10", from_location="B1")
    second = move(site, kind="issue", sku="WIDGET", quantity="5", from_location="B2")
    assert (first["total_cost"], second["total_cost"]) == ("100", "100")
    left = _value(site)
    assert (left["sku"], left["quantity"], left["value"], left["unit_cost"]) == ("WIDGET", "5", "100", "20")
    assert _cogs(site)["total"] == "200"


def test_fifo_single_issue_spanning_two_layers(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="20")
    issue = move(site, kind="issue", sku="WIDGET", quantity="15", from_location="B1")
    assert issue["total_cost"] == "200" and issue["unit_cost"] == "13.333333"
    assert (_value(site)["quantity"], _value(site)["value"]) == ("5", "100")
    cogs = _cogs(site)
    assert cogs["total"] == "200" and cogs["items"][0]["issued_quantity"] == "15"


def test_fifo_issues_take_only_the_oldest_layers_they_need(site: TenantHandle) -> None:
    # Four layers open; each issue reads layers oldest first only until they cover it.
    for cost in ("10", "20", "30", "40"):
        move(site, kind="receipt", sku="WIDGET", quantity="5", to_location="B1", unit_cost=cost)
    costs = [move(site, kind="issue", sku="WIDGET", quantity=q, from_location="B1")["total_cost"]
             for q in ("7", "3", "5", "1")]
    assert costs == ["90", "60", "150", "40"]  # 5@10+2@20, 3@20, exactly the 30 layer, then 40
    assert (_value(site)["quantity"], _value(site)["value"]) == ("4", "160")


def test_moving_average_brief_example(site: TenantHandle) -> None:
    _use_moving_average(site)
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="20")
    issue = move(site, kind="issue", sku="WIDGET", quantity="15", from_location="B1")
    assert issue["total_cost"] == "225" and issue["unit_cost"] == "15"
    assert (_value(site)["quantity"], _value(site)["value"], _value(site)["unit_cost"]) == ("5", "75", "15")
    assert _cogs(site)["total"] == "225"


def test_published_perpetual_fifo_example(site: TenantHandle) -> None:
    """americanpro.org, "FIFO Comparison with Multiple Sales", perpetual FIFO."""
    move(site, kind="receipt", sku="WIDGET", quantity="100", to_location="B1", unit_cost="10")  # May 31
    move(site, kind="receipt", sku="WIDGET", quantity="200", to_location="B1", unit_cost="11")  # June 5
    june10 = move(site, kind="issue", sku="WIDGET", quantity="150", from_location="B1")
    assert june10["total_cost"] == "1550"
    move(site, kind="receipt", sku="WIDGET", quantity="150", to_location="B1", unit_cost="12")  # June 20
    june25 = move(site, kind="issue", sku="WIDGET", quantity="200", from_location="B1")
    assert june25["total_cost"] == "2250"
    ending = _value(site)
    assert (ending["quantity"], ending["value"], ending["unit_cost"]) == ("100", "1200", "12")
    assert _cogs(site)["total"] == "3800"


def test_value_as_of_a_moment_comes_from_the_ledger(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    second = move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="20")
    issue = move(site, kind="issue", sku="WIDGET", quantity="15", from_location="B1")
    then = _value(site, as_of=second["posted_at"])
    assert (then["quantity"], then["value"]) == ("20", "300")
    assert _value(site, as_of="2000-01-01")["value"] == "0"
    assert _value(site)["value"] == "100"
    assert _cogs(site, to=second["posted_at"])["total"] == "0"
    assert _cogs(site, **{"from": issue["posted_at"]})["total"] == "200"
    backwards = site.get("/api/v1/valuation/cogs", params={"from": "2999-01-01", "to": "2000-01-01"})
    assert backwards.status_code == 422 and backwards.json()["field"] == "from"
    assert site.get("/api/v1/valuation", params={"as_of": "soon"}).json()["field"] == "as_of"


def test_every_outbound_move_records_its_cost(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="4")
    scrap = move(site, kind="scrap", sku="WIDGET", quantity="2", from_location="B1")
    loss = move(site, kind="adjustment", sku="WIDGET", quantity="1", from_location="B1", reason="count")
    transfer = move(site, kind="transfer", sku="WIDGET", quantity="3", from_location="B1", to_location="WH2")
    gain = move(site, kind="adjustment", sku="WIDGET", quantity="1", to_location="B1", reason="count")
    assert (scrap["total_cost"], loss["total_cost"], transfer["total_cost"]) == ("8", "4", "0")
    assert gain["unit_cost"] == "4" and gain["total_cost"] == "4"  # a gain comes in at the current cost
    assert _value(site)["value"] == "32"
    assert _cogs(site)["total"] == "0"  # scrap and count losses are not cost of goods sold


@pytest.mark.parametrize("method", ["fifo", "moving_average"])
def test_negative_stock_is_costed_then_settled_by_the_next_receipt(tenant: TenantHandle, method: str) -> None:
    """Beyond the stock an issue is costed at the last known cost; the next receipt settles the
    hole first and charges the difference with its own cost to COGS as variance."""
    make_site(tenant)
    make_item(tenant, "GLUE", allow_negative_stock=True, standard_cost="5")
    if method == "moving_average":
        _use_moving_average(tenant)
    move(tenant, kind="receipt", sku="GLUE", quantity="2", to_location="B1", unit_cost="10")
    issue = move(tenant, kind="issue", sku="GLUE", quantity="5", from_location="B1")
    assert issue["total_cost"] == "50"  # 2 @ 10 from stock, 3 @ 10 (last known cost)
    assert (_value(tenant, "GLUE")["quantity"], _value(tenant, "GLUE")["value"]) == ("-3", "-30")
    receipt = move(tenant, kind="receipt", sku="GLUE", quantity="5", to_location="B1", unit_cost="12")
    assert receipt["total_cost"] == "60" and receipt["cost_variance"] == "6"  # 3 × (12 − 10)
    after = _value(tenant, "GLUE")
    assert (after["quantity"], after["value"], after["unit_cost"]) == ("2", "24", "12")
    cogs = _cogs(tenant)["items"][0]
    assert (cogs["issue_cost"], cogs["variance"], cogs["cogs"]) == ("50", "6", "56")  # = 2×10 + 3×12
    # FIFO: what is left is one layer of 2 @ 12.
    assert move(tenant, kind="issue", sku="GLUE", quantity="2", from_location="B1")["total_cost"] == "24"


def test_negative_stock_without_any_receipt_uses_standard_cost(tenant: TenantHandle) -> None:
    make_site(tenant)
    make_item(tenant, "GLUE", allow_negative_stock=True, standard_cost="5")
    assert move(tenant, kind="issue", sku="GLUE", quantity="2", from_location="B1")["total_cost"] == "10"


def test_reversing_an_issue_restores_the_layers_at_their_cost(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="20")
    issue = move(site, kind="issue", sku="WIDGET", quantity="15", from_location="B1")
    reversal = created(site.post(f"/api/v1/stock-moves/{issue['id']}/reverse", json={"idempotency_key": "r"}))
    assert reversal["total_cost"] == "200"
    assert (_value(site)["quantity"], _value(site)["value"]) == ("20", "300")
    assert _cogs(site)["total"] == "0"
    # the oldest layer is whole again: the next 10 cost 10 each
    assert move(site, kind="issue", sku="WIDGET", quantity="10", from_location="B1")["total_cost"] == "100"


def test_reversing_a_receipt_takes_back_its_own_layer(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    wrong = move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="99")
    reversal = created(site.post(f"/api/v1/stock-moves/{wrong['id']}/reverse", json={"idempotency_key": "r"}))
    assert reversal["total_cost"] == "990"
    assert (_value(site)["quantity"], _value(site)["value"]) == ("10", "100")


def test_switching_method_converts_the_stock(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="10")
    move(site, kind="receipt", sku="WIDGET", quantity="10", to_location="B1", unit_cost="20")
    _use_moving_average(site)
    assert move(site, kind="issue", sku="WIDGET", quantity="2", from_location="B1")["total_cost"] == "30"
    back = site.request("PUT", "/api/v1/inventory/settings", json={"valuation_method": "fifo"})
    assert back.status_code == 200
    # one layer of 18 @ 15 now
    assert move(site, kind="issue", sku="WIDGET", quantity="18", from_location="B1")["total_cost"] == "270"
    assert _value(site) == {"quantity": "0", "value": "0", "unit_cost": None}  # nothing left, no dust


def test_settings_defaults_and_who_may_change_them(site: TenantHandle, owner_engine: Any) -> None:
    from sqlalchemy import text

    settings = created(site.get("/api/v1/inventory/settings"), 200)
    assert settings["valuation_method"] == "fifo" and settings["holding_rate_per_year"] == "0.25"
    changed = created(site.request("PUT", "/api/v1/inventory/settings", json={"holding_rate_per_year": "0.3"}), 200)
    assert changed["holding_rate_per_year"] == "0.3" and changed["updated_by"] == str(site.user_id)
    bad = site.request("PUT", "/api/v1/inventory/settings", json={"holding_rate_per_year": "-1"})
    assert bad.status_code == 422 and bad.json()["field"] == "holding_rate_per_year"
    assert site.request("PUT", "/api/v1/inventory/settings", json={"valuation_method": "lifo"}).status_code == 400
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE membership SET role = 'storekeeper' WHERE user_id = :u"), {"u": site.user_id})
    assert site.request("PUT", "/api/v1/inventory/settings", json={"holding_rate_per_year": "0.2"}).status_code == 403
    assert site.get("/api/v1/inventory/settings").status_code == 200


def test_unit_cost_is_only_for_inbound_moves(site: TenantHandle) -> None:
    move(site, kind="receipt", sku="WIDGET", quantity="1", to_location="B1")
    answer = post_move(site, kind="issue", sku="WIDGET", quantity="1", from_location="B1", unit_cost="3")
    assert answer.status_code == 422 and answer.json()["field"] == "unit_cost"
    assert Decimal(move(site, kind="receipt", sku="WIDGET", quantity="3", to_location="B1",
                        unit_cost="0.333333")["total_cost"]) == Decimal("0.999999")
