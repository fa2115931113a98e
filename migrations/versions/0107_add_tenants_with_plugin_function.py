"""Add tenants_with_plugin(): which tenants enabled a plugin, for scheduled jobs.

The scheduler runs with no tenant set, so row-level security hides every
tenant_plugin row from it. This SECURITY DEFINER function answers one question
only (the ids of the tenants that enabled a named plugin) and exposes no other
column, so the app role needs no broader read. It runs as the migration owner,
who must bypass row-level security (a superuser or BYPASSRLS, as `plantops
migrate` uses).

Revision ID: 0107
Revises: 0106
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from migrations.tenancy_sql import app_role

revision = "0107"
down_revision = "0106"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION tenants_with_plugin(plugin_name text) RETURNS SETOF uuid "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS "
        "$$ SELECT tenant_id FROM tenant_plugin WHERE name = plugin_name ORDER BY tenant_id $$"
    )
    op.execute("REVOKE ALL ON FUNCTION tenants_with_plugin(text) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION tenants_with_plugin(text) TO "{app_role()}"')


def downgrade() -> None:
    op.execute("DROP FUNCTION tenants_with_plugin(text)")
