"""Add sso_tenant_for_domain(): which tenant signs in a work email's domain with SSO.

The login page asks for a work email before anyone is signed in, so no tenant is set and
row-level security hides tenant_sso. This SECURITY DEFINER function answers only "which
tenant id has enabled SSO for this domain" (NULL when none, or when several claim it), so
the app role gets no broader read. It runs as the migration owner, who bypasses RLS.

Revision ID: 0110
Revises: 0109
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from migrations.tenancy_sql import app_role

revision = "0110"
down_revision = "0109"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION sso_tenant_for_domain(domain text) RETURNS uuid "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ "
        "SELECT CASE WHEN count(*) = 1 THEN min(tenant_id::text)::uuid END FROM tenant_sso "
        "WHERE enabled AND email_domain = lower(domain) $$"
    )
    op.execute("REVOKE ALL ON FUNCTION sso_tenant_for_domain(text) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION sso_tenant_for_domain(text) TO "{app_role()}"')


def downgrade() -> None:
    op.execute("DROP FUNCTION sso_tenant_for_domain(text)")
