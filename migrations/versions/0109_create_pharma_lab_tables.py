"""Create the pharma lab plugin's tables: settings, immutable QC signatures, reagent
profiles, per-lot records (certificate of analysis, opened date), assay methods with
their reagents, and scheduled assay runs with theirs.

``pharma_signature`` is immutable twice over, like the stock ledger: the application
role is granted only SELECT and INSERT, and a trigger refuses UPDATE and DELETE for
everyone, the owner included (21 CFR Part 11: a signature cannot be altered or removed).

Revision ID: 0109
Revises: 0108
Create Date: 2026-11-26
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from migrations.tenancy_sql import enable_tenant_rls, grant_app, tenant_column, tenant_foreign_key

revision = "0109"
down_revision = "0108"
branch_labels = None
depends_on = None

QTY = sa.Numeric(20, 6)
TABLES = ("pharma_settings", "pharma_signature", "pharma_reagent", "pharma_lot_record",
          "pharma_assay_method", "pharma_assay_reagent", "pharma_assay_run", "pharma_assay_run_line")
IMMUTABLE = ("pharma_signature",)


def _uuid(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UUID(as_uuid=True), nullable=nullable, primary_key=primary_key)


def _at(name: str, nullable: bool = False) -> sa.Column[Any]:
    if nullable:
        return sa.Column(name, sa.DateTime(timezone=True))
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _item_fk(table: str) -> sa.ForeignKeyConstraint:
    return tenant_foreign_key(table, "item_id", "item")


def _lot_fk(table: str) -> sa.ForeignKeyConstraint:
    # Through (tenant, item, lot): the row's lot always belongs to the row's item.
    return sa.ForeignKeyConstraint(["tenant_id", "item_id", "lot_id"], ["lot.tenant_id", "lot.item_id", "lot.id"],
                                   name=f"fk_{table}_tenant_id_item_id_lot_id_lot")


def _settings_and_signatures() -> None:
    op.create_table(
        "pharma_settings",
        tenant_column(),
        sa.Column("shortage_alert_days", sa.Integer, nullable=False, server_default="3"),
        _uuid("updated_by", nullable=True), _at("updated_at"),
        sa.CheckConstraint("shortage_alert_days BETWEEN 0 AND 90", name="alert_days_range"),
    )
    op.create_table(
        "pharma_signature",
        tenant_column(), _uuid("id", primary_key=True),
        _uuid("lot_id"), _uuid("item_id"),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("signer_email", sa.String(320), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("meaning", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("status_from", sa.String(16), nullable=False),
        sa.Column("status_to", sa.String(16), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        _item_fk("pharma_signature"), _lot_fk("pharma_signature"),
        sa.CheckConstraint("action IN ('release', 'reject')", name="action_known"),
        sa.CheckConstraint("length(meaning) > 0 AND length(reason) > 0", name="meaning_and_reason"),
    )
    op.create_index("ix_pharma_signature_lot", "pharma_signature", ["tenant_id", "lot_id", "signed_at"])
    op.execute(
        "CREATE FUNCTION refuse_signature_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is immutable: an electronic signature is never changed or removed', "
        "TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$"
    )
    op.execute(
        "CREATE TRIGGER pharma_signature_immutable BEFORE UPDATE OR DELETE ON pharma_signature "
        "FOR EACH ROW EXECUTE FUNCTION refuse_signature_change()"
    )


def _reagents() -> None:
    op.create_table(
        "pharma_reagent",
        tenant_column(), _uuid("item_id", primary_key=True),
        sa.Column("hazard_classes", ARRAY(sa.String(8)), nullable=False, server_default="{}"),
        sa.Column("storage_condition", sa.String(32), nullable=False),
        sa.Column("in_use_days", sa.Integer),
        sa.Column("min_stock", QTY), sa.Column("max_stock", QTY),
        _uuid("updated_by", nullable=True), _at("updated_at"),
        _item_fk("pharma_reagent"),
        sa.CheckConstraint("in_use_days IS NULL OR in_use_days > 0", name="in_use_days_positive"),
        sa.CheckConstraint("min_stock IS NULL OR max_stock IS NULL OR min_stock <= max_stock",
                           name="min_below_max"),
    )
    op.create_table(
        "pharma_lot_record",
        tenant_column(), _uuid("lot_id", primary_key=True), _uuid("item_id"),
        sa.Column("opened_on", sa.Date), _uuid("opened_by", nullable=True),
        sa.Column("coa_filename", sa.String(200)), sa.Column("coa_content_type", sa.String(100)),
        sa.Column("coa_size", sa.Integer), sa.Column("coa_sha256", sa.String(64)),
        sa.Column("coa_data", sa.LargeBinary), _at("coa_uploaded_at", nullable=True),
        _uuid("coa_uploaded_by", nullable=True),
        _lot_fk("pharma_lot_record"),
    )


def _assays() -> None:
    op.create_table(
        "pharma_assay_method",
        tenant_column(), _uuid("id", primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500)),
        _uuid("created_by", nullable=True), _at("created_at"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_pharma_assay_method_tenant_id_name"),
    )
    op.create_table(
        "pharma_assay_reagent",
        tenant_column(), _uuid("method_id", primary_key=True), _uuid("item_id", primary_key=True),
        sa.Column("quantity", QTY, nullable=False),
        tenant_foreign_key("pharma_assay_reagent", "method_id", "pharma_assay_method"),
        _item_fk("pharma_assay_reagent"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    op.create_table(
        "pharma_assay_run",
        tenant_column(), _uuid("id", primary_key=True), _uuid("method_id"), _uuid("location_id"),
        sa.Column("scheduled_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500)),
        _uuid("created_by", nullable=True), _at("created_at"),
        _uuid("closed_by", nullable=True), _at("closed_at", nullable=True),
        tenant_foreign_key("pharma_assay_run", "method_id", "pharma_assay_method"),
        tenant_foreign_key("pharma_assay_run", "location_id", "location"),
        sa.CheckConstraint("status IN ('scheduled', 'done', 'cancelled')", name="status_known"),
    )
    op.create_index("ix_pharma_assay_run_day", "pharma_assay_run", ["tenant_id", "scheduled_on"])
    op.create_table(
        "pharma_assay_run_line",
        tenant_column(), _uuid("run_id", primary_key=True), _uuid("item_id", primary_key=True),
        sa.Column("quantity", QTY, nullable=False),
        tenant_foreign_key("pharma_assay_run_line", "run_id", "pharma_assay_run"),
        _item_fk("pharma_assay_run_line"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


def upgrade() -> None:
    _settings_and_signatures()
    _reagents()
    _assays()
    for table in TABLES:
        enable_tenant_rls(table)
        grant_app(table, "SELECT, INSERT" if table in IMMUTABLE else "SELECT, INSERT, UPDATE")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DROP FUNCTION refuse_signature_change()")
