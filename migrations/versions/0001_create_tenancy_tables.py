"""Create tenant, plant, app_user and membership with forced row-level security.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.tenancy_sql import USER_SETTING, enable_tenant_rls, grant_app

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "app_user",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "plant",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_plant_tenant_id_name"),
    )
    op.create_table(
        "membership",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "role IN ('owner', 'admin', 'planner', 'storekeeper', 'viewer')", name="role_known"
        ),
    )
    op.create_index("ix_membership_user_id", "membership", ["user_id"])
    # A member may read the tenants they belong to (to choose one at login).
    enable_tenant_rls(
        "tenant", column="id",
        extra_read=f"id IN (SELECT m.tenant_id FROM membership m WHERE m.user_id = {USER_SETTING})",
    )
    enable_tenant_rls("plant")
    enable_tenant_rls("membership", extra_read=f"user_id = {USER_SETTING}")
    grant_app("tenant", "SELECT, INSERT, UPDATE")
    grant_app("app_user", "SELECT, INSERT, UPDATE")
    grant_app("plant")
    grant_app("membership")


def downgrade() -> None:
    # tenant's policy reads membership: it must go before membership can.
    op.execute('DROP POLICY tenant_isolation ON "tenant"')
    op.drop_table("membership")
    op.drop_table("plant")
    op.drop_table("app_user")
    op.drop_table("tenant")
