"""Create bill-of-material lines, sales orders, forecasts, firm MPS receipts and calendars.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app, tenant_column, tenant_foreign_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("bom_line", "sales_order", "sales_order_line", "forecast", "firm_planned_receipt",
          "planning_calendar")



def upgrade() -> None:
    op.create_table(
        "bom_line", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True), nullable=False),
        sa.Column("component_id", UUID(as_uuid=True), nullable=False),
        sa.Column("quantity", sa.Numeric(20, 6), nullable=False),
        sa.Column("scrap_pct", sa.Numeric(9, 4), nullable=False),
        sa.UniqueConstraint("tenant_id", "parent_id", "component_id",
                            name="uq_bom_line_tenant_id_parent_id_component_id"),
        tenant_foreign_key("bom_line", "parent_id", "item", "CASCADE"),
        tenant_foreign_key("bom_line", "component_id", "item"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("scrap_pct >= 0 AND scrap_pct < 100", name="scrap_pct_range"),
        sa.CheckConstraint("parent_id <> component_id", name="not_its_own_component"),
    )
    op.create_index("ix_bom_line_tenant_id_component_id", "bom_line", ["tenant_id", "component_id"])
    op.create_table(
        "sales_order", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("plant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "number", name="uq_sales_order_tenant_id_number"),
        tenant_foreign_key("sales_order", "plant_id", "plant"),
    )
    op.create_table(
        "sales_order_line", tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("order_id", UUID(as_uuid=True), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("quantity", sa.Numeric(20, 6), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        tenant_foreign_key("sales_order_line", "order_id", "sales_order", "CASCADE"),
        tenant_foreign_key("sales_order_line", "item_id", "item"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    op.create_index("ix_sales_order_line_tenant_id_item_id_due_date", "sales_order_line",
                    ["tenant_id", "item_id", "due_date"])
    for table in ("forecast", "firm_planned_receipt"):
        op.create_table(
            table, tenant_column(),
            sa.Column("id", UUID(as_uuid=True), primary_key=True),
            sa.Column("plant_id", UUID(as_uuid=True), nullable=False),
            sa.Column("item_id", UUID(as_uuid=True), nullable=False),
            sa.Column("period_start", sa.Date, nullable=False),
            sa.Column("quantity", sa.Numeric(20, 6), nullable=False),
            *([sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                         nullable=False)] if table == "firm_planned_receipt" else []),
            sa.UniqueConstraint("tenant_id", "plant_id", "item_id", "period_start",
                                name=f"uq_{table}_tenant_id_plant_id_item_id_period_start"),
            tenant_foreign_key(table, "item_id", "item"),
            tenant_foreign_key(table, "plant_id", "plant"),
            sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        )
    op.create_table(
        "planning_calendar", tenant_column(),
        sa.Column("plant_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("bucket", sa.String(8), nullable=False),
        sa.Column("horizon", sa.Integer, nullable=False),
        sa.Column("working_days", ARRAY(sa.Integer), nullable=False),
        sa.Column("demand_time_fence", sa.Integer, nullable=False),
        tenant_foreign_key("planning_calendar", "plant_id", "plant"),
        sa.CheckConstraint("bucket IN ('day', 'week')", name="bucket_known"),
        sa.CheckConstraint("horizon BETWEEN 1 AND 400", name="horizon_range"),
        sa.CheckConstraint("demand_time_fence >= 0", name="fence_not_negative"),
    )
    for table in TABLES:
        enable_tenant_rls(table)
        grant_app(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
