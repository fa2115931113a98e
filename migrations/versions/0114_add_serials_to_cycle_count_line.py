"""Count serial-tracked items by serial number: the serials a line's counter scanned and
the serials the book had there when the line was counted.

Revision ID: 0114
Revises: 0113
Create Date: 2026-11-26

Two columns on ``cycle_count_line`` (NULL on lines of items that are not serial-tracked):

- ``counted_serials``: what the counter scanned; ``counted_qty`` is their number;
- ``book_serials``: the serials on the book at the line's location, read in the same
  statement that gives ``book_qty`` (their number), so the variance in serials and in
  quantity are one and the same difference.

The checks keep each list and its quantity in step whatever writes the row. No new table,
so no new key or policy: the table keeps its tenant_id-led key and its forced RLS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0114"
down_revision = "0113"
branch_labels = None
depends_on = None

TABLE = "cycle_count_line"
#: The length of serial_number.serial (and of stock_move.serials' elements).
SERIAL = sa.String(64)
CHECKS = {
    "counted_serials_match_qty": "counted_serials IS NULL OR counted_qty = cardinality(counted_serials)",
    "book_serials_match_qty": "book_serials IS NULL OR book_qty = cardinality(book_serials)",
}


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("counted_serials", ARRAY(SERIAL)))
    op.add_column(TABLE, sa.Column("book_serials", ARRAY(SERIAL)))
    for name, condition in CHECKS.items():
        op.create_check_constraint(name, TABLE, condition)


def downgrade() -> None:
    for name in CHECKS:
        op.drop_constraint(name, TABLE, type_="check")
    op.drop_column(TABLE, "book_serials")
    op.drop_column(TABLE, "counted_serials")
