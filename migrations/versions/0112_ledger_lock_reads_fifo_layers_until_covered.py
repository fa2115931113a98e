"""ledger_lock() reads the open FIFO layers only until they cover the move.

Revision ID: 0112
Revises: 0111
Create Date: 2026-11-25

Step 4 of ledger_lock (migration 0111) listed an outbound move's layers with a running
sum over every open layer of the item, then kept those it needs: its cost grew with
the item's open layers (one per receipt not yet consumed), though a move usually takes
from the oldest one or two. It now walks the open layers in FIFO order through the
partial index ``ix_cost_layer_open`` and stops as soon as they cover the move. The
answer is the same: the layers (``p_prefer_move``'s first, then oldest first) up to and
including the one that reaches the quantity. Steps 1-3 are unchanged.
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0112"
down_revision = "0111"
branch_labels = None
depends_on = None

LEDGER_LOCK = """
CREATE OR REPLACE FUNCTION ledger_lock(
    p_tenant uuid, p_item uuid,
    p_locations uuid[], p_lots uuid[], p_deltas numeric[],
    p_valued boolean,
    p_taking_from uuid,
    p_fifo_take numeric, p_prefer_move uuid,
    OUT balances numeric[],
    OUT method text, OUT quantity numeric, OUT value numeric, OUT last_unit_cost numeric,
    OUT reserved_lots uuid[], OUT reserved numeric[],
    OUT layer_ids uuid[], OUT layer_remaining numeric[], OUT layer_values numeric[], OUT layer_costs numeric[])
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    layer record;
    covered numeric := 0;
BEGIN
    -- 1. Create or change every balance, in the order given: the one lock order.
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

    -- 4. FIFO: the open layers, p_prefer_move's first, then oldest first, until they cover
    --    the move; read under the valuation-row lock, so no other posting changes them.
    IF method = 'fifo' AND p_fifo_take IS NOT NULL THEN
        IF p_prefer_move IS NOT NULL THEN  -- a reversal gives back its original's layers first
            FOR layer IN
                SELECT c.id, c.remaining, c.remaining_value, c.unit_cost FROM cost_layer c
                WHERE c.tenant_id = p_tenant AND c.move_id = p_prefer_move AND c.item_id = p_item
                  AND c.remaining > 0
                ORDER BY c.seq
            LOOP
                EXIT WHEN covered >= p_fifo_take;
                layer_ids := layer_ids || layer.id;
                layer_remaining := layer_remaining || layer.remaining;
                layer_values := layer_values || layer.remaining_value;
                layer_costs := layer_costs || layer.unit_cost;
                covered := covered + layer.remaining;
            END LOOP;
        END IF;
        FOR layer IN
            SELECT c.id, c.remaining, c.remaining_value, c.unit_cost FROM cost_layer c
            WHERE c.tenant_id = p_tenant AND c.item_id = p_item AND c.remaining > 0
              AND c.move_id IS DISTINCT FROM p_prefer_move
            ORDER BY c.seq
        LOOP
            EXIT WHEN covered >= p_fifo_take;
            layer_ids := layer_ids || layer.id;
            layer_remaining := layer_remaining || layer.remaining;
            layer_values := layer_values || layer.remaining_value;
            layer_costs := layer_costs || layer.unit_cost;
            covered := covered + layer.remaining;
        END LOOP;
    END IF;
END
$$
"""


def upgrade() -> None:
    op.execute(LEDGER_LOCK)


def downgrade() -> None:
    before = importlib.import_module("migrations.versions.0111_create_ledger_lock_function")
    op.execute(before.LEDGER_LOCK.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
