"""Create the food plugin's tables: settings, picking policy per item, expiry alerts and
production batches.

- ``food_settings``: per tenant, the alert window (days) and whether the daily scan
  writes expired stock off as spoilage.
- ``food_item_policy``: per item, FEFO (default when no row) or FIFO picking.
- ``food_expiry_alert``: one row per lot and kind (expiring, expired) when the daily scan
  first raised it.
- ``food_batch``: a production batch (the plugin's work order until core has them); its
  component issues and finished-lot receipt are ledger moves referencing its number.

Revision ID: 0108
Revises: 0107
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app, tenant_column, tenant_foreign_key

revision = "0108"
down_revision = "0107"
branch_labels = None
depends_on = None

QTY = sa.Numeric(20, 6)


def _lot_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"],
                                   name=f"fk_{table}_tenant_id_item_id_lot_id_lot")


def upgrade() -> None:
    op.create_table(
        "food_settings",
        tenant_column(),
        sa.Column("alert_days", sa.Integer, nullable=False, server_default="7"),
        sa.Column("auto_write_off", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by", UUID(as_uuid=True)),
        sa.CheckConstraint("alert_days BETWEEN 0 AND 365", name="alert_days_range"),
    )
    op.create_table(
        "food_item_policy",
        tenant_column(),
        sa.Column("item_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("policy", sa.String(4), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        tenant_foreign_key("food_item_policy", "item_id", "item", ondelete="CASCADE"),
        sa.CheckConstraint("policy IN ('fefo', 'fifo')", name="policy_known"),
    )
    op.create_table(
        "food_expiry_alert",
        tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lot_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("expiry_date", sa.Date, nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _lot_fk("food_expiry_alert"),
        sa.UniqueConstraint("tenant_id", "lot_id", "kind", name="uq_food_expiry_alert_tenant_id_lot_id_kind"),
        sa.CheckConstraint("kind IN ('expiring', 'expired')", name="kind_known"),
    )
    op.create_table(
        "food_batch",
        tenant_column(),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lot_id", UUID(as_uuid=True), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("batch_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, server_default="posted"),
        sa.Column("source_location_id", UUID(as_uuid=True), nullable=False),
        sa.Column("target_location_id", UUID(as_uuid=True), nullable=False),
        sa.Column("planned_order_id", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("created_by", UUID(as_uuid=True)),
        _lot_fk("food_batch"),
        tenant_foreign_key("food_batch", "source_location_id", "location"),
        tenant_foreign_key("food_batch", "target_location_id", "location"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_food_batch_tenant_id_number"),
        sa.UniqueConstraint("tenant_id", "planned_order_id", name="uq_food_batch_tenant_id_planned_order_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("status IN ('posted')", name="status_known"),
    )
    for table in ("food_settings", "food_item_policy", "food_expiry_alert", "food_batch"):
        enable_tenant_rls(table)
    grant_app("food_settings", "SELECT, INSERT, UPDATE")
    grant_app("food_item_policy", "SELECT, INSERT, UPDATE, DELETE")
    grant_app("food_expiry_alert", "SELECT, INSERT")
    grant_app("food_batch", "SELECT, INSERT")


def downgrade() -> None:
    for table in ("food_batch", "food_expiry_alert", "food_item_policy", "food_settings"):
        op.drop_table(table)
