"""Create the inventory ledger: lots, reservations, the append-only stock_move, balances,
serials, FIFO cost layers and their consumption, per-item valuation and inventory settings.

``stock_move`` and ``cost_layer_use`` are append-only twice over: the application role
is granted only SELECT and INSERT on them, and a trigger refuses UPDATE and DELETE for
everyone, the owner included. A mistake is corrected by a reversing move.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

QTY = sa.Numeric(20, 6)
MONEY = sa.Numeric(20, 6)
APPEND_ONLY = ("stock_move", "cost_layer_use")
TABLES = (
    "inventory_settings", "lot", "reservation", "stock_move", "stock_balance",
    "serial_number", "cost_layer", "cost_layer_use", "item_valuation",
)


def _tenant() -> sa.Column[Any]:
    return sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenant.id"), primary_key=True)


def _id() -> sa.Column[Any]:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _fk(table: str, cols: list[str], ref: str, refcols: list[str]) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(cols)}_{ref}"
    return sa.ForeignKeyConstraint(cols, [f"{ref}.{c}" for c in refcols], name=name)


def _item_fk(table: str) -> sa.ForeignKeyConstraint:
    return _fk(table, ["tenant_id", "item_id"], "item", ["tenant_id", "id"])


def _location_fk(table: str, col: str = "location_id") -> sa.ForeignKeyConstraint:
    return _fk(table, ["tenant_id", col], "location", ["tenant_id", "id"])


def _lot_fk(table: str) -> sa.ForeignKeyConstraint:
    # Through (tenant, item, lot): a row's lot always belongs to the row's item.
    return _fk(table, ["tenant_id", "item_id", "lot_id"], "lot", ["tenant_id", "item_id", "id"])


def _settings_and_lots() -> None:
    op.create_table(
        "inventory_settings",
        _tenant(),
        sa.Column("valuation_method", sa.String(16), nullable=False),
        sa.Column("holding_rate_per_year", sa.Numeric(8, 6), nullable=False),
        sa.Column("updated_by", UUID(as_uuid=True)),
        _at("updated_at"),
        sa.CheckConstraint("valuation_method IN ('fifo', 'moving_average')", name="method_known"),
        sa.CheckConstraint("holding_rate_per_year BETWEEN 0 AND 10", name="holding_rate_range"),
    )
    op.create_table(
        "lot",
        _tenant(), _id(),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expiry_date", sa.Date),
        sa.Column("supplier_lot", sa.String(64)),
        _at("received_at"), _at("created_at"), _at("updated_at"),
        sa.Column("updated_by", UUID(as_uuid=True)),
        _at("status_changed_at", nullable=True),
        sa.Column("status_changed_by", UUID(as_uuid=True)),
        sa.UniqueConstraint("tenant_id", "item_id", "code", name="uq_lot_tenant_id_item_id_code"),
        sa.UniqueConstraint("tenant_id", "item_id", "id", name="uq_lot_tenant_id_item_id_id"),
        _item_fk("lot"),
        sa.CheckConstraint(
            "status IN ('available', 'quarantine', 'rejected', 'expired')", name="status_known"
        ),
    )
    op.create_index("ix_lot_tenant_id_code", "lot", ["tenant_id", "code"])


def _reservations() -> None:
    op.create_table(
        "reservation",
        _tenant(), _id(),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("location_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lot_id", UUID(as_uuid=True)),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("remaining", QTY, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reference_type", sa.String(32)),
        sa.Column("reference_id", sa.String(64)),
        sa.Column("created_by", UUID(as_uuid=True)),
        _at("created_at"),
        sa.Column("closed_by", UUID(as_uuid=True)),
        _at("closed_at", nullable=True),
        _item_fk("reservation"), _location_fk("reservation"), _lot_fk("reservation"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("remaining >= 0 AND remaining <= quantity", name="remaining_range"),
        sa.CheckConstraint("status IN ('open', 'released', 'consumed')", name="status_known"),
    )
    op.create_index(
        "ix_reservation_open", "reservation", ["tenant_id", "item_id", "location_id"],
        postgresql_where=sa.text("status = 'open'"),
    )


def _moves() -> None:
    op.create_table(
        "stock_move",
        _tenant(), _id(),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("batch_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("from_location_id", UUID(as_uuid=True)),
        sa.Column("to_location_id", UUID(as_uuid=True)),
        sa.Column("lot_id", UUID(as_uuid=True)),
        sa.Column("serials", ARRAY(sa.String(64))),
        sa.Column("unit_cost", MONEY),
        sa.Column("total_cost", MONEY, nullable=False),
        sa.Column("cost_variance", MONEY, nullable=False),
        sa.Column("reason", sa.String(200)),
        sa.Column("reference_type", sa.String(32)),
        sa.Column("reference_id", sa.String(64)),
        sa.Column("reservation_id", UUID(as_uuid=True)),
        sa.Column("reverses_move_id", UUID(as_uuid=True)),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("posted_by", UUID(as_uuid=True)),
        _at("posted_at"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_stock_move_tenant_id_idempotency_key"),
        sa.UniqueConstraint("tenant_id", "reverses_move_id", name="uq_stock_move_tenant_id_reverses_move_id"),
        _item_fk("stock_move"), _lot_fk("stock_move"),
        _location_fk("stock_move", "from_location_id"), _location_fk("stock_move", "to_location_id"),
        _fk("stock_move", ["tenant_id", "reservation_id"], "reservation", ["tenant_id", "id"]),
        _fk("stock_move", ["tenant_id", "reverses_move_id"], "stock_move", ["tenant_id", "id"]),
        sa.CheckConstraint(
            "kind IN ('receipt', 'issue', 'transfer', 'adjustment', 'scrap')", name="kind_known"
        ),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("total_cost >= 0", name="total_cost_not_negative"),
        sa.CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_location"
        ),
        sa.CheckConstraint(
            "from_location_id IS DISTINCT FROM to_location_id", name="locations_differ"
        ),
    )
    op.create_index("ix_stock_move_item", "stock_move", ["tenant_id", "item_id", "seq"])
    op.create_index("ix_stock_move_lot", "stock_move", ["tenant_id", "lot_id", "seq"],
                    postgresql_where=sa.text("lot_id IS NOT NULL"))
    op.create_index("ix_stock_move_posted_at", "stock_move", ["tenant_id", "posted_at"])
    # Only the later moves of a split posting: the first is found by its key (and a full
    # index here would tempt the planner away from the key's unique index).
    op.create_index("ix_stock_move_batch", "stock_move", ["tenant_id", "batch_id"],
                    postgresql_where=sa.text("id <> batch_id"))
    op.create_index("ix_stock_move_reference", "stock_move",
                    ["tenant_id", "reference_type", "reference_id"],
                    postgresql_where=sa.text("reference_type IS NOT NULL"))
    op.create_index("ix_stock_move_from", "stock_move", ["tenant_id", "from_location_id"],
                    postgresql_where=sa.text("from_location_id IS NOT NULL"))
    op.create_index("ix_stock_move_to", "stock_move", ["tenant_id", "to_location_id"],
                    postgresql_where=sa.text("to_location_id IS NOT NULL"))


def _balances_and_serials() -> None:
    op.create_table(
        "stock_balance",
        _tenant(), _id(),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("location_id", UUID(as_uuid=True), nullable=False),
        sa.Column("lot_id", UUID(as_uuid=True)),
        sa.Column("quantity", QTY, nullable=False),
        _at("updated_at"),
        # NULLS NOT DISTINCT: the one balance of an untracked item at a location.
        sa.UniqueConstraint("tenant_id", "item_id", "location_id", "lot_id",
                            name="uq_stock_balance_key", postgresql_nulls_not_distinct=True),
        _item_fk("stock_balance"), _location_fk("stock_balance"), _lot_fk("stock_balance"),
    )
    op.create_index("ix_stock_balance_location", "stock_balance", ["tenant_id", "location_id"])
    op.create_table(
        "serial_number",
        _tenant(),
        sa.Column("item_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("serial", sa.String(64), primary_key=True),
        sa.Column("location_id", UUID(as_uuid=True)),
        sa.Column("last_move_id", UUID(as_uuid=True), nullable=False),
        _at("updated_at"),
        _item_fk("serial_number"), _location_fk("serial_number"),
        _fk("serial_number", ["tenant_id", "last_move_id"], "stock_move", ["tenant_id", "id"]),
    )
    op.create_index("ix_serial_number_location", "serial_number", ["tenant_id", "location_id"])


def _valuation() -> None:
    op.create_table(
        "cost_layer",
        _tenant(), _id(),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("item_id", UUID(as_uuid=True), nullable=False),
        sa.Column("move_id", UUID(as_uuid=True)),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("unit_cost", MONEY, nullable=False),
        sa.Column("remaining", QTY, nullable=False),
        sa.Column("remaining_value", MONEY, nullable=False),
        _at("created_at"),
        _item_fk("cost_layer"),
        _fk("cost_layer", ["tenant_id", "move_id"], "stock_move", ["tenant_id", "id"]),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("remaining >= 0 AND remaining <= quantity", name="remaining_range"),
    )
    op.create_index("ix_cost_layer_open", "cost_layer", ["tenant_id", "item_id", "seq"],
                    postgresql_where=sa.text("remaining > 0"))
    op.create_index("ix_cost_layer_move", "cost_layer", ["tenant_id", "move_id"])
    op.create_table(
        "cost_layer_use",
        _tenant(),
        sa.Column("move_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("layer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("value", MONEY, nullable=False),
        _fk("cost_layer_use", ["tenant_id", "move_id"], "stock_move", ["tenant_id", "id"]),
        _fk("cost_layer_use", ["tenant_id", "layer_id"], "cost_layer", ["tenant_id", "id"]),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    op.create_table(
        "item_valuation",
        _tenant(),
        sa.Column("item_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("quantity", QTY, nullable=False),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("last_unit_cost", MONEY),
        _at("updated_at"),
        _item_fk("item_valuation"),
        sa.CheckConstraint("method IN ('fifo', 'moving_average')", name="method_known"),
    )


def _append_only() -> None:
    op.execute(
        "CREATE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: post a reversing move instead', TG_TABLE_NAME "
        "USING ERRCODE = 'restrict_violation'; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(
            f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change()"
        )


def upgrade() -> None:
    _settings_and_lots()
    _reservations()
    _moves()
    _balances_and_serials()
    _valuation()
    _append_only()
    for table in TABLES:
        enable_tenant_rls(table)
        if table in APPEND_ONLY:
            grant_app(table, "SELECT, INSERT")
        else:  # state kept beside the ledger: changed, never deleted, by the app
            grant_app(table, "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DROP FUNCTION refuse_ledger_change()")
