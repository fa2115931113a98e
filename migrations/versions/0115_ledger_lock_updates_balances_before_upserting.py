"""ledger_lock() updates existing balance rows and locks the valuation row without an upsert.

Revision ID: 0115
Revises: 0114
Create Date: 2026-11-25

Steps 1 and 2 of ledger_lock (migration 0112) were upserts: ``INSERT … ON CONFLICT DO
UPDATE`` for the balances and for the item's valuation row. An upsert inserts
speculatively, checks every unique index, and — for the valuation row — wrote a new row
version only to lock it, before the posting's own update wrote another. Nearly always
the rows exist, so the function now updates each balance row (the same rows in the same
order, and the same quantities back) and falls back to the upsert only when a row is
missing; it locks the valuation row with ``SELECT … FOR UPDATE`` (same lock, no new
version) and creates it, as before, only when missing, and reads the open reservations
(step 3) in that same statement: its snapshot is taken after the balance rows are
locked, which is all step 3 needs. Step 4 is unchanged. Its statements keep one generic
plan per session (``plan_cache_mode``): each finds its rows by a key, and re-planning
them on every call cost more than running them.
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0115"
down_revision = "0114"
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
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
-- Every statement finds its rows by a key: one plan per session serves all calls (left to
-- choose, PostgreSQL plans some afresh on every call).
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    layer record;
    covered numeric := 0;
    after_qty numeric;
    reservations_read boolean := false;
BEGIN
    -- 1. Change (or create) every balance, in the order given: the one lock order. An
    --    UPDATE where the row exists: an upsert's speculative insertion costs more.
    FOR n IN 1 .. coalesce(cardinality(p_locations), 0) LOOP
        IF p_lots[n] IS NULL THEN
            UPDATE stock_balance b SET quantity = b.quantity + p_deltas[n], updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = p_item AND b.location_id = p_locations[n]
              AND b.lot_id IS NULL
            RETURNING b.quantity INTO after_qty;
        ELSE
            UPDATE stock_balance b SET quantity = b.quantity + p_deltas[n], updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = p_item AND b.location_id = p_locations[n]
              AND b.lot_id = p_lots[n]
            RETURNING b.quantity INTO after_qty;
        END IF;
        IF NOT FOUND THEN
            INSERT INTO stock_balance AS b (tenant_id, id, item_id, location_id, lot_id, quantity)
            VALUES (p_tenant, gen_random_uuid(), p_item, p_locations[n], p_lots[n], p_deltas[n])
            ON CONFLICT ON CONSTRAINT uq_stock_balance_key
            DO UPDATE SET quantity = b.quantity + EXCLUDED.quantity, updated_at = now()
            RETURNING b.quantity INTO after_qty;
        END IF;
        balances := balances || after_qty;
    END LOOP;

    -- 2. Lock the item's valuation row (create it, with the tenant's method, if missing),
    -- 3. and read the open reservations where stock leaves. One statement: its snapshot is
    --    taken after step 1 locked the balance rows, which every reservation locks first.
    IF p_valued THEN
        SELECT v.method, v.quantity, v.value, v.last_unit_cost, r.lots, r.held
        INTO method, quantity, value, last_unit_cost, reserved_lots, reserved
        FROM item_valuation v
        LEFT JOIN LATERAL (
            SELECT array_agg(x.lot_id ORDER BY x.lot_id) AS lots, array_agg(x.held ORDER BY x.lot_id) AS held
            FROM (SELECT o.lot_id, sum(o.remaining) AS held FROM reservation o
                  WHERE o.tenant_id = p_tenant AND o.item_id = p_item AND o.location_id = p_taking_from
                    AND o.status = 'open'
                  GROUP BY o.lot_id) x
        ) r ON p_taking_from IS NOT NULL
        WHERE v.tenant_id = p_tenant AND v.item_id = p_item
        FOR UPDATE OF v;
        reservations_read := FOUND;
        IF NOT FOUND THEN
            INSERT INTO item_valuation AS v (tenant_id, item_id, method, quantity, value)
            VALUES (p_tenant, p_item, coalesce((SELECT s.valuation_method FROM inventory_settings s
                                                WHERE s.tenant_id = p_tenant), 'fifo'), 0, 0)
            ON CONFLICT (tenant_id, item_id) DO UPDATE SET updated_at = now()
            RETURNING v.method, v.quantity, v.value, v.last_unit_cost
            INTO method, quantity, value, last_unit_cost;  -- reservations: read below
        END IF;
    END IF;
    IF p_taking_from IS NOT NULL AND NOT reservations_read THEN
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
    before = importlib.import_module("migrations.versions.0112_ledger_lock_reads_fifo_layers_until_covered")
    op.execute(before.LEDGER_LOCK)
