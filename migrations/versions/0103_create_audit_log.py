"""Create audit_log: append-only record of every change of tenant data.

Revision ID: 0103
Revises: 0102
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0103"
down_revision = "0102"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        # clock_timestamp, not now(): entries of one transaction keep their order.
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"),
                  nullable=False),
        sa.Column("user_id", UUID(as_uuid=True)),
        sa.Column("actor", sa.String(320)),
        sa.Column("request_id", sa.String(64)),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("table_name", sa.String(63), nullable=False),
        sa.Column("row_key", sa.Text, nullable=False),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
    )
    op.create_index("ix_audit_log_tenant_id_at", "audit_log", ["tenant_id", sa.text("at DESC")])
    op.create_index("ix_audit_log_tenant_id_table_name_row_key", "audit_log",
                    ["tenant_id", "table_name", "row_key"])
    enable_tenant_rls("audit_log")
    # Append-only for the application: no UPDATE, no DELETE.
    grant_app("audit_log", "SELECT, INSERT")


def downgrade() -> None:
    op.drop_table("audit_log")
