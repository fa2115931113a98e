"""Create the shared unit-of-measure table and the item and location tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UNITS = [
    ("EA", "each"), ("PC", "piece"), ("SET", "set"), ("BOX", "box"), ("PAL", "pallet"),
    ("KG", "kilogram"), ("G", "gram"), ("T", "tonne"), ("L", "litre"), ("ML", "millilitre"),
    ("M", "metre"), ("CM", "centimetre"), ("MM", "millimetre"), ("M2", "square metre"),
    ("M3", "cubic metre"), ("H", "hour"), ("ROLL", "roll"), ("BAG", "bag"),
]


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    uom = op.create_table(
        "uom",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
    )
    op.bulk_insert(uom, [{"code": c, "name": n} for c, n in UNITS])
    op.create_table(
        "item",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uom", sa.String(16), sa.ForeignKey("uom.code"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("lead_time_days", sa.Integer, nullable=False),
        sa.Column("safety_stock", sa.Numeric(20, 6), nullable=False),
        sa.Column("lot_sizing", JSONB, nullable=False),
        sa.Column("tracking", sa.String(8), nullable=False),
        sa.Column("shelf_life_days", sa.Integer),
        sa.Column("standard_cost", sa.Numeric(20, 6), nullable=False),
        sa.Column("allow_negative_stock", sa.Boolean, nullable=False),
        *_timestamps(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.UniqueConstraint("tenant_id", "sku", name="uq_item_tenant_id_sku"),
        sa.CheckConstraint("kind IN ('make', 'buy')", name="kind_known"),
        sa.CheckConstraint("tracking IN ('none', 'lot', 'serial')", name="tracking_known"),
        sa.CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        sa.CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        sa.CheckConstraint("standard_cost >= 0", name="standard_cost_not_negative"),
    )
    op.create_table(
        "location",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("plant_id", UUID(as_uuid=True), nullable=False),
        sa.Column("parent_id", UUID(as_uuid=True)),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", "plant_id", "code", name="uq_location_tenant_id_plant_id_code"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plant_id"], ["plant.tenant_id", "plant.id"],
            name="fk_location_tenant_id_plant_id_plant",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"], ["location.tenant_id", "location.id"],
            name="fk_location_tenant_id_parent_id_location",
        ),
        sa.CheckConstraint("kind IN ('warehouse', 'zone', 'bin')", name="kind_known"),
    )
    op.create_index("ix_location_tenant_id_parent_id", "location", ["tenant_id", "parent_id"])
    enable_tenant_rls("item")
    enable_tenant_rls("location")
    grant_app("uom", "SELECT")
    grant_app("item")
    grant_app("location")


def downgrade() -> None:
    op.drop_table("location")
    op.drop_table("item")
    op.drop_table("uom")
