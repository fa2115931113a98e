"""Create tenant_sso: a tenant's OpenID Connect provider for single sign-on.

Revision ID: 0106
Revises: 0105
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0106"
down_revision = "0105"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_sso",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("client_secret", sa.Text, nullable=False),
        sa.Column("email_domain", sa.String(255)),
        sa.Column("jit_role", sa.String(20), nullable=False, server_default="viewer"),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.CheckConstraint("jit_role IN ('admin', 'planner', 'storekeeper', 'viewer', 'qa', 'supplier')",
                           name="jit_role_known"),
    )
    enable_tenant_rls("tenant_sso")
    grant_app("tenant_sso", "SELECT, INSERT, UPDATE, DELETE")


def downgrade() -> None:
    op.drop_table("tenant_sso")
