"""Drop the foreign keys to the tenant row from the rows every posting inserts.

Revision ID: 0113
Revises: 0112
Create Date: 2026-11-25

``stock_move``, ``cost_layer`` and ``cost_layer_use`` each had a foreign key from
``tenant_id`` to ``tenant``. It proves nothing their composite keys do not: a move's
``(tenant_id, item_id)`` must name an item of that tenant, a layer's too, and a layer
use's ``(tenant_id, move_id)`` a move of that tenant — and those rows exist only for a
tenant that exists. But checking it share-locks the tenant row, so every concurrent
posting of a tenant locked the same row: PostgreSQL then records the lockers of that
row as a multixact, rebuilt by each new posting, a cost that grows with the number of
clients. Tenants are never deleted while they have stock moves (the moves are
append-only and their other keys would refuse it anyway).

The tenancy rules are unchanged: tenant_id leads every key, and every foreign key into
tenant data carries it.
"""

from __future__ import annotations

from alembic import op

revision = "0113"
down_revision = "0112"
branch_labels = None
depends_on = None

TABLES = ("stock_move", "cost_layer", "cost_layer_use")


def upgrade() -> None:
    for table in TABLES:
        op.drop_constraint(f"fk_{table}_tenant_id_tenant", table, type_="foreignkey")


def downgrade() -> None:
    for table in TABLES:
        op.create_foreign_key(f"fk_{table}_tenant_id_tenant", table, "tenant", ["tenant_id"], ["id"])
