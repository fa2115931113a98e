"""Create tenant_plugin (per-tenant plugin enablement) and job (long-running work).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_plugin",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("enabled_by", UUID(as_uuid=True)),
        sa.Column("enabled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "job",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("params", JSONB, nullable=False),
        sa.Column("result", JSONB),
        sa.Column("error", sa.Text),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
    )
    enable_tenant_rls("tenant_plugin")
    enable_tenant_rls("job")
    grant_app("tenant_plugin")
    grant_app("job")


def downgrade() -> None:
    op.drop_table("job")
    op.drop_table("tenant_plugin")
