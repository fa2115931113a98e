"""Create the tables that keep each MRP run: run, planned orders, exceptions, records.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app, tenant_column, tenant_foreign_key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("mrp_run", "planned_order", "plan_exception", "mrp_record")



def upgrade() -> None:
    op.create_table(
        "mrp_run", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("plant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("job_id", UUID(as_uuid=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("bucket", sa.String(8), nullable=False),
        sa.Column("periods", sa.Integer, nullable=False),
        sa.Column("period_starts", ARRAY(sa.Date), nullable=False),
        sa.Column("counts", JSONB, nullable=False),
        sa.Column("timings", JSONB, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        tenant_foreign_key("mrp_run", "plant_id", "plant"),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status_known"),
    )
    op.create_table(
        "planned_order", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("run_id", UUID(as_uuid=True), nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Numeric(20, 6), nullable=False),
        sa.Column("release_period", sa.Integer, nullable=False),
        sa.Column("receipt_period", sa.Integer, nullable=False),
        sa.Column("release_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("pegging", JSONB, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("firmed_at", sa.DateTime(timezone=True)),
        tenant_foreign_key("planned_order", "run_id", "mrp_run", "CASCADE"),
        tenant_foreign_key("planned_order", "item_id", "item"),
        sa.CheckConstraint("kind IN ('make', 'buy')", name="kind_known"),
        sa.CheckConstraint("status IN ('planned', 'firm')", name="status_known"),
    )
    op.create_index("ix_planned_order_tenant_id_run_id_item_id", "planned_order",
                    ["tenant_id", "run_id", "item_id"])
    op.create_table(
        "plan_exception", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("run_id", UUID(as_uuid=True), nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", JSONB, nullable=False),
        tenant_foreign_key("plan_exception", "run_id", "mrp_run", "CASCADE"),
        tenant_foreign_key("plan_exception", "item_id", "item"),
    )
    op.create_index("ix_plan_exception_tenant_id_run_id", "plan_exception", ["tenant_id", "run_id"])
    op.create_table(
        "mrp_record", tenant_column(),
        sa.Column("run_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("item_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("low_level_code", sa.Integer, nullable=False),
        sa.Column("record", JSONB, nullable=False),
        tenant_foreign_key("mrp_record", "run_id", "mrp_run", "CASCADE"),
        tenant_foreign_key("mrp_record", "item_id", "item"),
    )
    for table in TABLES:
        enable_tenant_rls(table)
        grant_app(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
