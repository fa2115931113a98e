"""Add the subscription state to tenant and create stripe_event (webhook receipts).

Revision ID: 0105
Revises: 0104
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from migrations.tenancy_sql import grant_app

revision = "0105"
down_revision = "0104"
branch_labels = None
depends_on = None

STATUSES = ("'trialing', 'active', 'past_due', 'unpaid', 'canceled', 'incomplete', "
            "'incomplete_expired', 'paused'")


def upgrade() -> None:
    op.add_column("tenant", sa.Column("stripe_customer_id", sa.String(64)))
    op.add_column("tenant", sa.Column("stripe_subscription_id", sa.String(64)))
    op.add_column("tenant", sa.Column("subscription_status", sa.String(20), nullable=False,
                                      server_default="trialing"))
    op.add_column("tenant", sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.now()))
    op.add_column("tenant", sa.Column("trial_ends_at", sa.DateTime(timezone=True)))
    op.add_column("tenant", sa.Column("current_period_end", sa.DateTime(timezone=True)))
    op.add_column("tenant", sa.Column("cancel_at_period_end", sa.Boolean, nullable=False,
                                      server_default=sa.false()))
    op.add_column("tenant", sa.Column("billing_event_created", sa.BigInteger))
    op.create_check_constraint("subscription_status_known", "tenant",
                               f"subscription_status IN ({STATUSES})")
    # Global: an event arrives before anyone knows its tenant (found from its metadata),
    # and Stripe's event id is unique across all accounts' events.
    op.create_table(
        "stripe_event",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("tenant_id", UUID(as_uuid=True)),
        sa.Column("outcome", sa.Text),
    )
    grant_app("stripe_event", "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    op.drop_table("stripe_event")
    op.drop_constraint("subscription_status_known", "tenant", type_="check")
    for column in ("billing_event_created", "cancel_at_period_end", "current_period_end", "trial_ends_at",
                   "status_changed_at", "subscription_status", "stripe_subscription_id",
                   "stripe_customer_id"):
        op.drop_column("tenant", column)
