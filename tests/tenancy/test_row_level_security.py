"""RLS proven with raw SQL as the application role: another tenant's rows do not exist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from tests.support import TenantHandle


@pytest.fixture
def app_engine(services: dict[str, str]) -> Any:
    engine = create_engine(services["app_url"])
    yield engine
    engine.dispose()


def _as(conn: Any, tenant_id: uuid.UUID | None) -> None:
    conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                 {"t": str(tenant_id) if tenant_id else ""})


def test_other_tenant_rows_are_invisible_and_untouchable(
    tenant: TenantHandle, other_tenant: TenantHandle, app_engine: Any
) -> None:
    item = tenant.post("/api/v1/items", json={"sku": "SECRET", "name": "A's item"}).json()
    with app_engine.begin() as conn:
        _as(conn, other_tenant.tenant_id)
        assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM plant")).scalar_one() == 1
        updated = conn.execute(text("UPDATE item SET name = 'pwned' WHERE id = :i"), {"i": item["id"]})
        assert updated.rowcount == 0
        deleted = conn.execute(text("DELETE FROM item WHERE sku = 'SECRET'"))
        assert deleted.rowcount == 0
    with app_engine.begin() as conn:
        _as(conn, tenant.tenant_id)
        assert conn.execute(text("SELECT name FROM item WHERE id = :i"), {"i": item["id"]}).scalar_one() == "A's item"


def test_writing_into_another_tenant_is_refused(
    tenant: TenantHandle, other_tenant: TenantHandle, app_engine: Any
) -> None:
    with app_engine.connect() as conn, pytest.raises(ProgrammingError, match="row-level security"):
        with conn.begin():
            _as(conn, other_tenant.tenant_id)
            conn.execute(text(
                "INSERT INTO item (tenant_id, id, sku, name, uom, kind, lead_time_days, safety_stock,"
                " lot_sizing, tracking, standard_cost, allow_negative_stock) VALUES (:t, :i, 'X', 'x',"
                " 'EA', 'buy', 0, 0, '{}', 'none', 0, false)"),
                {"t": tenant.tenant_id, "i": uuid.uuid4()})


def test_no_tenant_set_means_no_rows(tenant: TenantHandle, app_engine: Any) -> None:
    tenant.post("/api/v1/items", json={"sku": "S", "name": "s"})
    with app_engine.begin() as conn:
        _as(conn, None)
        for table in ("item", "plant", "membership", "tenant", "job", "location"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table


def test_setting_is_transaction_local_so_the_pool_cannot_leak_it(
    tenant: TenantHandle, app_engine: Any
) -> None:
    tenant.post("/api/v1/items", json={"sku": "S", "name": "s"})
    with app_engine.connect() as conn:
        with conn.begin():
            _as(conn, tenant.tenant_id)
            assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 1
        with conn.begin():  # same connection, next transaction
            assert conn.execute(text("SELECT count(*) FROM item")).scalar_one() == 0
