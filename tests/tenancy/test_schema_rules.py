"""The tenancy rules, checked on the migrated database itself so no table escapes them.

Every tenant table: tenant_id in its primary key, in every foreign key and unique
constraint that points into tenant data, and row-level security enabled and forced.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from core.orm import GLOBAL_TABLES

CONSTRAINTS = """
SELECT c.conrelid::regclass::text AS tbl, c.contype, c.conname,
       c.confrelid::regclass::text AS ref,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) k
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k) AS cols,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) k
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k) AS refcols
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE n.nspname = 'public' AND c.contype IN ('p', 'f', 'u')
"""


def _tables(conn: Any) -> list[str]:
    return list(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())


def test_every_tenant_table_keys_on_tenant_id(owner_engine: Any) -> None:
    problems: list[str] = []
    with owner_engine.connect() as conn:
        tables = set(_tables(conn))
        tenant_tables = tables - GLOBAL_TABLES
        assert {"plant", "membership", "item", "location", "job", "tenant_plugin"} <= tenant_tables
        rows = conn.execute(text(CONSTRAINTS)).mappings().all()
    pks = {r["tbl"]: r["cols"] for r in rows if r["contype"] == "p"}
    for table in sorted(tenant_tables):
        if "tenant_id" not in pks.get(table, []):
            problems.append(f"{table}: primary key {pks.get(table)} lacks tenant_id")
    for r in rows:
        if r["tbl"] not in tenant_tables:
            continue
        if r["contype"] == "u" and "tenant_id" not in r["cols"]:
            problems.append(f"{r['tbl']}: unique {r['conname']} lacks tenant_id")
        if r["contype"] == "f" and r["ref"] not in GLOBAL_TABLES:
            pairs = dict(zip(r["cols"], r["refcols"], strict=True))
            if pairs.get("tenant_id") != "tenant_id":
                problems.append(f"{r['tbl']}: foreign key {r['conname']} to {r['ref']} "
                                f"does not carry tenant_id")
    assert problems == []


def test_every_tenant_table_forces_row_level_security(owner_engine: Any) -> None:
    with owner_engine.connect() as conn:
        tables = set(_tables(conn)) - (GLOBAL_TABLES - {"tenant"})
        state = dict(conn.execute(text(
            "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")).all())
        policies = dict(conn.execute(text(
            "SELECT tablename, string_agg(qual || ' ' || coalesce(with_check, ''), ' ') "
            "FROM pg_policies WHERE schemaname = 'public' GROUP BY tablename")).all())
    missing = [t for t in sorted(tables) if not state.get(t)]
    assert missing == [], f"RLS not enabled and forced on {missing}"
    unguarded = [t for t in sorted(tables) if "app.tenant_id" not in policies.get(t, "")]
    assert unguarded == [], f"no tenant policy on {unguarded}"


def test_app_role_owns_nothing_and_bypasses_nothing(services: dict[str, str], owner_engine: Any) -> None:
    from sqlalchemy import create_engine

    app = create_engine(services["app_url"])
    with app.connect() as conn:
        role = conn.execute(text("SELECT current_user")).scalar_one()
    app.dispose()
    with owner_engine.connect() as conn:
        flags = conn.execute(text(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = :r"), {"r": role}).one()
        owned = conn.execute(text(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = :r"), {"r": role}).scalar_one()
    assert tuple(flags) == (False, False, False, False)
    assert owned == 0


def test_reference_tables_are_read_only_to_the_app(services: dict[str, str]) -> None:
    import pytest
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ProgrammingError

    app = create_engine(services["app_url"])
    with app.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM uom")).scalar_one() > 10
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("INSERT INTO uom VALUES ('XX', 'bogus')"))
    app.dispose()
