"""Create ledger_lock(): a posting's locks and reads in one round trip.

Revision ID: 0111
Revises: 0110
Create Date: 2026-11-25

A posting locked its balance rows, then its item's valuation row (reading the open
reservations), then read the open FIFO layers: three statements, three round trips,
each ~0.1 ms of client and server CPU on top of the work itself. This function runs
the same statements in the same order. It is VOLATILE, so in READ COMMITTED each of its
statements takes a new snapshot, exactly as separate statements did: the reservations
are read after the balance rows are locked and see every reservation committed before.

It runs with the caller's rights (SECURITY INVOKER): row-level security applies inside,
and every statement also filters by tenant_id explicitly.
"""

from __future__ import annotations

from alembic import op

from migrations.tenancy_sql import grant_app_execute

revision = "0111"
down_revision = "0110"
branch_labels = None
depends_on = None

SIGNATURE = "ledger_lock(uuid, uuid, uuid[], uuid[], numeric[], boolean, uuid, numeric, uuid)"

LEDGER_LOCK = """
CREATE FUNCTION ledger_lock(
    p_tenant uuid, p_item uuid,
    -- the balance changes, already in lock order (location id, then lot id)
    p_locations uuid[], p_lots uuid[], p_deltas numeric[],
    -- lock the valuation row (moves in or out; not transfers)
    p_valued boolean,
    -- the location stock leaves, whose open reservations are read (NULL: none)
    p_taking_from uuid,
    -- an outbound move's quantity: read the open FIFO layers it needs (NULL: none)
    p_fifo_take numeric, p_prefer_move uuid,
    -- each balance's quantity after the change, in the order of p_locations
    OUT balances numeric[],
    OUT method text, OUT quantity numeric, OUT value numeric, OUT last_unit_cost numeric,
    OUT reserved_lots uuid[], OUT reserved numeric[],
    OUT layer_ids uuid[], OUT layer_remaining numeric[], OUT layer_values numeric[], OUT layer_costs numeric[])
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    -- 1. Create or change every balance, in the order given (ORDER BY d.n): the one lock
    --    order of all postings. Returns the quantities after every earlier posting.
    WITH d AS (
        SELECT * FROM unnest(p_locations, p_lots, p_deltas) WITH ORDINALITY AS d(location_id, lot_id, delta, n)
    ), changed AS (
        INSERT INTO stock_balance (tenant_id, id, item_id, location_id, lot_id, quantity)
        SELECT p_tenant, gen_random_uuid(), p_item, d.location_id, d.lot_id, d.delta FROM d ORDER BY d.n
        ON CONFLICT ON CONSTRAINT uq_stock_balance_key
        DO UPDATE SET quantity = stock_balance.quantity + EXCLUDED.quantity, updated_at = now()
        RETURNING stock_balance.location_id, stock_balance.lot_id, stock_balance.quantity
    )
    SELECT array_agg(c.quantity ORDER BY d.n) INTO balances
    FROM d JOIN changed c ON c.location_id = d.location_id AND c.lot_id IS NOT DISTINCT FROM d.lot_id;

    -- 2. Lock (or create, with the tenant's method) the item's valuation row.
    IF p_valued THEN
        INSERT INTO item_valuation AS v (tenant_id, item_id, method, quantity, value)
        VALUES (p_tenant, p_item, coalesce((SELECT s.valuation_method FROM inventory_settings s
                                            WHERE s.tenant_id = p_tenant), 'fifo'), 0, 0)
        ON CONFLICT (tenant_id, item_id) DO UPDATE SET updated_at = now()
        RETURNING v.method, v.quantity, v.value, v.last_unit_cost INTO method, quantity, value, last_unit_cost;
    END IF;

    -- 3. The open reservations where stock leaves: a new snapshot, taken with the locks held.
    IF p_taking_from IS NOT NULL THEN
        SELECT array_agg(r.lot_id ORDER BY r.lot_id), array_agg(r.held ORDER BY r.lot_id)
        INTO reserved_lots, reserved
        FROM (SELECT x.lot_id, sum(x.remaining) AS held FROM reservation x
              WHERE x.tenant_id = p_tenant AND x.item_id = p_item AND x.location_id = p_taking_from
                AND x.status = 'open'
              GROUP BY x.lot_id) r;
    END IF;

    -- 4. FIFO: the open layers oldest first (p_prefer_move's first), only as many as the
    --    move needs; read under the valuation-row lock, so no other posting changes them.
    IF method = 'fifo' AND p_fifo_take IS NOT NULL THEN
        SELECT array_agg(o.id ORDER BY o.before), array_agg(o.remaining ORDER BY o.before),
               array_agg(o.remaining_value ORDER BY o.before), array_agg(o.unit_cost ORDER BY o.before)
        INTO layer_ids, layer_remaining, layer_values, layer_costs
        FROM (SELECT c.id, c.remaining, c.remaining_value, c.unit_cost,
                     sum(c.remaining) OVER (ORDER BY (c.move_id = p_prefer_move) IS TRUE DESC, c.seq)
                         - c.remaining AS before
              FROM cost_layer c
              WHERE c.tenant_id = p_tenant AND c.item_id = p_item AND c.remaining > 0) o
        WHERE o.before < p_fifo_take;
    END IF;
END
$$
"""


def upgrade() -> None:
    op.execute(LEDGER_LOCK)
    grant_app_execute(SIGNATURE)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
