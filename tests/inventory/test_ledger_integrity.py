"""The ledger's guarantees: append-only in the database, concurrent postings that serialize,
and bad input refused field by field with nothing half-written."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from tests.inventory.ledger_support import make_item, make_site, move, on_hand, post_move
from tests.support import TenantHandle


@pytest.fixture
def site(tenant: TenantHandle) -> TenantHandle:
    make_site(tenant)
    make_item(tenant, "BOLT")
    return tenant


@pytest.mark.parametrize("table", ["stock_move", "cost_layer_use"])
def test_app_role_may_not_update_or_delete_the_ledger(site: TenantHandle, services: dict[str, str],
                                                      table: str) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B1", unit_cost="1")
    move(site, kind="issue", sku="BOLT", quantity="1", from_location="B1")
    app = create_engine(services["app_url"])
    try:
        for statement in (f"UPDATE {table} SET quantity = 99", f"DELETE FROM {table}"):
            with app.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
                with conn.begin():
                    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(site.tenant_id)})
                    conn.execute(text(statement))
    finally:
        app.dispose()


@pytest.mark.parametrize("table", ["stock_move", "cost_layer_use"])
def test_even_the_owner_is_refused_by_the_trigger(site: TenantHandle, owner_engine: Any, table: str) -> None:
    move(site, kind="receipt", sku="BOLT", quantity="5", to_location="B1", unit_cost="1")
    move(site, kind="issue", sku="BOLT", quantity="1", from_location="B1")
    for statement in (f"UPDATE {table} SET quantity = 99", f"DELETE FROM {table}"):
        with owner_engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            with conn.begin():
                conn.execute(text(statement))
    assert on_hand(site, "BOLT") == 4


def test_sixteen_clients_drain_a_balance_exactly(site: TenantHandle, live_server: Any, owner_engine: Any) -> None:
    """16 threads × 50 issues of 1 from 500: the balance ends at 0 with exactly 500 issues,
    and once the stock is out the only refusals are 409s saying nothing is available."""
    move(site, kind="receipt", sku="BOLT", quantity="500", to_location="B1")
    statuses: Counter[int] = Counter()
    refusals: list[dict[str, Any]] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def client(n: int) -> None:
        with httpx.Client(base_url=live_server.url, headers=site.headers, timeout=120) as http:
            start.wait()
            for i in range(50):
                answer = http.post("/api/v1/stock-moves", json={
                    "kind": "issue", "sku": "BOLT", "quantity": 1, "from_location": "B1",
                    "idempotency_key": f"c{n}-{i}"})
                with lock:
                    statuses[answer.status_code] += 1
                    if answer.status_code != 201:
                        refusals.append(answer.json())

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == Counter({201: 500, 409: 300})
    assert all(r["available"] == "0" and r["requested"] == "1" for r in refusals)
    assert on_hand(site, "BOLT") == 0
    with owner_engine.connect() as conn:
        issues = conn.execute(text("SELECT count(*), sum(quantity) FROM stock_move WHERE tenant_id = :t "
                                   "AND kind = 'issue'"), {"t": site.tenant_id}).one()
        balance = conn.execute(text("SELECT quantity FROM stock_balance WHERE tenant_id = :t"),
                               {"t": site.tenant_id}).scalar_one()
    assert tuple(issues) == (500, 500) and balance == 0


def _second_plant_with_b1(owner_engine: Any, tenant: TenantHandle) -> None:
    plant = uuid.uuid4()
    with owner_engine.begin() as conn:
        conn.execute(text("INSERT INTO plant (tenant_id, id, name) VALUES (:t, :p, 'Second plant')"),
                     {"t": tenant.tenant_id, "p": plant})
    answer = tenant.post("/api/v1/locations", json={"code": "B1", "name": "B1 there", "kind": "warehouse",
                                                    "plant_id": str(plant)})
    assert answer.status_code == 201, answer.text


RECEIPT = {"kind": "receipt", "sku": "BOLT", "quantity": "1", "to_location": "B1"}


@pytest.mark.parametrize(("change", "field", "status"), [
    ({"kind": "teleport"}, "kind", 400),
    ({"kind": None}, "kind", 400),
    ({"sku": None}, "sku", 400),
    ({"sku": "NOPE"}, "sku", 422),
    ({"sku": " "}, "sku", 422),
    ({"quantity": "0"}, "quantity", 422),
    ({"quantity": -1}, "quantity", 422),
    ({"quantity": "ten"}, "quantity", 400),
    ({"quantity": "NaN"}, "quantity", 422),
    ({"quantity": "Infinity"}, "quantity", 422),
    ({"quantity": "1.0000001"}, "quantity", 422),
    ({"quantity": "1e15"}, "quantity", 422),
    ({"quantity": True}, "quantity", 400),
    ({"idempotency_key": ""}, "idempotency_key", 422),
    ({"idempotency_key": "k" * 191}, "idempotency_key", 422),
    ({"idempotency_key": None}, "idempotency_key", 400),
    ({"to_location": None}, "to_location", 422),
    ({"to_location": "NOWHERE"}, "to_location", 422),
    ({"from_location": "B2"}, "from_location", 422),
    ({"kind": "issue", "from_location": "B1"}, "to_location", 422),
    ({"kind": "transfer", "from_location": "B1"}, "to_location", 422),
    ({"kind": "adjustment", "from_location": "B2"}, "to_location", 422),
    ({"kind": "transfer", "from_location": "b1"}, "to_location", 422),
    ({"lot": "L" * 65}, "lot", 422),
    ({"expiry_date": "tomorrow"}, "expiry_date", 400),
    ({"supplier_lot": "S1"}, "supplier_lot", 422),
    ({"serials": "S1"}, "serials", 400),
    ({"unit_cost": "-1"}, "unit_cost", 422),
    ({"unit_cost": "cheap"}, "unit_cost", 400),
    ({"reason": "r" * 201}, "reason", 422),
    ({"reference": {"type": "po"}}, "reference.id", 400),
    ({"reference": {"type": "", "id": "1"}}, "reference", 422),
    ({"reservation_id": "nope"}, "reservation_id", 400),
    ({"reservation_id": "00000000-0000-4000-8000-000000000000"}, "reservation_id", 422),
    ({"colour": "red"}, "colour", 400),
])
def test_bad_input_names_the_field_and_writes_nothing(
    site: TenantHandle, owner_engine: Any, change: dict[str, Any], field: str, status: int
) -> None:
    body = {**RECEIPT, "idempotency_key": "bad-1", **change}
    answer = site.post("/api/v1/stock-moves", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["field"] == field, answer.text
    with owner_engine.connect() as conn:
        for table in ("stock_move", "stock_balance", "lot", "cost_layer", "item_valuation"):
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"),
                                {"t": site.tenant_id}).scalar_one() == 0, table


def test_a_code_in_two_plants_is_ambiguous(site: TenantHandle, owner_engine: Any) -> None:
    _second_plant_with_b1(owner_engine, site)
    answer = post_move(site, **RECEIPT)
    assert answer.status_code == 422 and answer.json()["field"] == "to_location"
    assert "2 plants" in answer.json()["detail"]
    b1 = site.get("/api/v1/locations", params={"q": "B1", "kind": "bin"}).json()["items"][0]
    assert post_move(site, **{**RECEIPT, "to_location": b1["id"]}).status_code == 201


def test_nothing_half_written_when_a_late_check_fails(site: TenantHandle, owner_engine: Any) -> None:
    """A serial clash is found after the move row was inserted: the whole posting rolls back."""
    make_item(site, "PUMP", tracking="serial")
    move(site, kind="receipt", sku="PUMP", quantity="1", to_location="B1", serials=["P1"])
    clash = post_move(site, kind="receipt", sku="PUMP", quantity="2", to_location="B2", serials=["P2", "P1"])
    assert clash.status_code == 409
    with owner_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stock_move")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM serial_number")).scalar_one() == 1
    assert on_hand(site, "PUMP", "B2") == 0


def test_quantities_and_values_beyond_the_column_are_422(site: TenantHandle) -> None:
    big = "90000000000000"
    assert post_move(site, **{**RECEIPT, "quantity": big}).status_code == 201
    over = post_move(site, **{**RECEIPT, "quantity": big})
    assert over.status_code == 422 and over.json()["field"] == "quantity"
    pricey = post_move(site, **{**RECEIPT, "quantity": "1000", "unit_cost": "99999999999999"})
    assert pricey.status_code == 422 and pricey.json()["field"] == "unit_cost"
    assert on_hand(site, "BOLT") == int(big)
