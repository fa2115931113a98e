"""Add tenant.plan: the subscription plan that sets the tenant's limits.

Revision ID: 0101
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("plan", sa.String(20), nullable=False, server_default="starter"))
    op.create_check_constraint(
        "plan_known", "tenant", "plan IN ('starter', 'growth', 'enterprise')")


def downgrade() -> None:
    op.drop_constraint("plan_known", "tenant", type_="check")
    op.drop_column("tenant", "plan")
