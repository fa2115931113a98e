"""Create the cycle-count tables: cycle_count and cycle_count_line.

A count is never deleted (cancelled instead), so the application role gets SELECT,
INSERT and UPDATE only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

QTY = sa.Numeric(20, 6)
MONEY = sa.Numeric(20, 6)
TABLES = ("cycle_count", "cycle_count_line")


def _fk(table: str, cols: list[str], ref: str, refcols: list[str]) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(cols, [f"{ref}.{c}" for c in refcols],
                                   name=f"fk_{table}_{'_'.join(cols)}_{ref}")


def upgrade() -> None:
    op.create_table(
        "cycle_count",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("location_id", UUID(as_uuid=True)),
        sa.Column("abc_class", sa.String(1)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(200)),
        sa.Column("created_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("submitted_by", UUID(as_uuid=True)),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("posted_by", UUID(as_uuid=True)),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_by", UUID(as_uuid=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("cancel_reason", sa.String(200)),
        sa.UniqueConstraint("tenant_id", "number", name="uq_cycle_count_tenant_id_number"),
        _fk("cycle_count", ["tenant_id", "location_id"], "location", ["tenant_id", "id"]),
        sa.CheckConstraint("status IN ('open', 'counted', 'posted', 'cancelled')", name="status_known"),
        sa.CheckConstraint("abc_class IS NULL OR abc_class IN ('A', 'B', 'C')", name="abc_class_known"),
        sa.CheckConstraint("location_id IS NOT NULL OR abc_class IS NOT NULL", name="has_a_scope"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )
    op.create_index("ix_cycle_count_tenant_id_status", "cycle_count", ["tenant_id", "status"])
    op.create_table(
        "cycle_count_line",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("count_id", UUID(as_uuid=True), nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("location_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lot_id", UUID(as_uuid=True)),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("expected_qty", QTY, nullable=False),
        sa.Column("book_qty", QTY),
        sa.Column("counted_qty", QTY),
        sa.Column("counted_by", UUID(as_uuid=True)),
        sa.Column("counted_at", sa.DateTime(timezone=True)),
        sa.Column("unit_cost", MONEY),
        sa.Column("move_id", UUID(as_uuid=True)),
        sa.UniqueConstraint("tenant_id", "count_id", "line_no",
                            name="uq_cycle_count_line_tenant_id_count_id_line_no"),
        sa.UniqueConstraint("tenant_id", "count_id", "item_id", "location_id", "lot_id",
                            name="uq_cycle_count_line_key", postgresql_nulls_not_distinct=True),
        _fk("cycle_count_line", ["tenant_id", "count_id"], "cycle_count", ["tenant_id", "id"]),
        _fk("cycle_count_line", ["tenant_id", "item_id"], "item", ["tenant_id", "id"]),
        _fk("cycle_count_line", ["tenant_id", "location_id"], "location", ["tenant_id", "id"]),
        _fk("cycle_count_line", ["tenant_id", "item_id", "lot_id"], "lot", ["tenant_id", "item_id", "id"]),
        _fk("cycle_count_line", ["tenant_id", "move_id"], "stock_move", ["tenant_id", "id"]),
        sa.CheckConstraint("counted_qty IS NULL OR counted_qty >= 0", name="counted_not_negative"),
        sa.CheckConstraint("line_no > 0", name="line_no_positive"),
    )
    for table in TABLES:
        enable_tenant_rls(table)
        grant_app(table, "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    op.drop_table("cycle_count_line")
    op.drop_table("cycle_count")
