"""SQL every tenant table gets: forced row-level security and the application role's grants.

Migrations call these so that no table is created without its policy.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects.postgresql import UUID

TENANT_SETTING = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
USER_SETTING = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def app_role() -> str:
    """The unprivileged role the application connects as (set by ``plantops migrate``)."""
    return str(context.config.attributes.get("app_role", "plantops_app"))


def enable_tenant_rls(table: str, column: str = "tenant_id", extra_read: str | None = None) -> None:
    """ENABLE and FORCE row-level security on ``table`` keyed on ``column``.

    ``extra_read`` widens only what may be *read* (e.g. a user's own memberships across
    tenants at login); writes are always checked against the current tenant.
    """
    using = f"{column} = {TENANT_SETTING}"
    if extra_read:
        using = f"({using}) OR ({extra_read})"
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{table}" '
        f"USING ({using}) WITH CHECK ({column} = {TENANT_SETTING})"
    )


def grant_app(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    """Grant the application role exactly ``privileges`` on ``table``."""
    op.execute(f'GRANT {privileges} ON "{table}" TO {app_role()}')


def grant_app_execute(function: str) -> None:
    """Let only the application role call ``function`` (a signature: ``name(type, …)``).

    PostgreSQL lets PUBLIC execute a new function; the app role's grants stay explicit.
    """
    op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app_role()}")


def drop_tenant_rls(table: str) -> None:
    """Undo :func:`enable_tenant_rls` (for downgrades of tables that survive)."""
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def tenant_column() -> sa.Column[Any]:
    """``tenant_id``: first column of a tenant table's primary key, pointing at ``tenant``."""
    return sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True)


def tenant_foreign_key(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """A foreign key that carries ``tenant_id``: ``(tenant_id, column)`` → ``target``."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
        name=f"fk_{table}_tenant_id_{column}_{target}", ondelete=ondelete)
