"""Create invitation and mail_outbox; widen membership roles with qa and supplier.

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('owner', 'admin', 'planner', 'storekeeper', 'viewer')"
NEW_ROLES = "role IN ('owner', 'admin', 'planner', 'storekeeper', 'viewer', 'qa', 'supplier')"


def upgrade() -> None:
    op.drop_constraint("role_known", "membership", type_="check")
    op.create_check_constraint("role_known", "membership", NEW_ROLES)
    op.create_table(
        "invitation",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("invited_by", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(NEW_ROLES, name="role_known"),
    )
    op.create_index("ix_invitation_tenant_id_email", "invitation", ["tenant_id", "email"])
    op.create_table(
        "mail_outbox",
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("to_email", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    for table in ("invitation", "mail_outbox"):
        enable_tenant_rls(table)
        grant_app(table)


def downgrade() -> None:
    op.drop_table("mail_outbox")
    op.drop_table("invitation")
    op.execute("DELETE FROM membership WHERE role IN ('qa', 'supplier')")
    op.drop_constraint("role_known", "membership", type_="check")
    op.create_check_constraint("role_known", "membership", OLD_ROLES)
