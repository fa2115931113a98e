"""Create post_plain_move(): a plain stock move posted in one call to the database.

Revision ID: 0116
Revises: 0115
Create Date: 2026-11-25

Most moves a plant posts are plain: an item with no lot or serial tracking, named by
its sku, locations named by code, no reservation, no reversal, for a tenant with no
plugin that watches postings. Posted from Python, such a move took six statements
(BEGIN, the tenant, the lookup, the locks, the write, COMMIT) and about 1.5 ms of
client CPU in drivers and sessions: two cores could not post 1,000 moves a second.
This function posts it in one statement, in the caller's (auto-committed) transaction:

1. bind the transaction to the tenant (row-level security applies inside: SECURITY
   INVOKER) and look the item, the locations, the key and the plugins up;
2. take the locks ``ledger_lock()`` (migration 0115) takes for the general path: the same
   rows in the same order, by the same statements (written out here: calling it cost
   more than running them), so the two ways of posting never deadlock each other;
3. refuse nothing itself: whatever a plain posting cannot settle alone — an unknown
   item or location, a used key, a tracked item, an item allowed to go negative, a
   balance or valuation row not created yet, stock short of the move, a negative
   position, a value out of range — makes it give up
   (before writing: it returns no row; after: it raises SQLSTATE ``PTNPM``, or
   ``unique_violation`` for a key a concurrent posting took, which rolls its writes
   back). The caller then posts the move the usual way, which answers with the usual
   refusal or replay;
4. cost the move exactly as ``core.inventory.valuation_math`` does (FIFO layers or
   moving average; money rounded half-even to 6 decimals after a division rounded to
   28 significant digits, as Python's decimal context does: ledger_money_div), write the
   move, its layers and the item's new position.

``tests/inventory/test_plain_posting.py`` posts random sequences both ways and compares
every move, layer, balance and position digit for digit.
"""

from __future__ import annotations

from alembic import op

from migrations.tenancy_sql import grant_app_execute

revision = "0116"
down_revision = "0115"
branch_labels = None
depends_on = None

#: SQL functions of one expression, not STRICT: the planner inlines them into the caller's
#: expressions (a call it cannot inline is planned again in every transaction, ~0.1 ms).
ROUNDING = """
CREATE FUNCTION ledger_money(x numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- round() breaks a tie away from zero, Python's money() (ROUND_HALF_EVEN) to even:
    -- a tie is a value as far from its rounded as from its truncated form.
    SELECT (CASE WHEN round(x, 6) <> trunc(x, 6) AND abs(round(x, 6) - x) = abs(x - trunc(x, 6))
                      AND mod(trunc(x, 6) * 1000000, 2) = 0
                 THEN trunc(x, 6) ELSE round(x, 6) END)::numeric(20, 6)
$$;

CREATE FUNCTION ledger_money_div(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Python divides to 28 significant digits, then rounds to 6 decimals. For |a| below
    -- 2e14 and a, b of at most 13 decimals the first rounding cannot reach a tie of the
    -- second (a quotient near a tie T is at least 1e-13/|b| from it unless on it, more
    -- than 28 digits resolve), so one exact enough division and one rounding give the
    -- same digits. Callers keep |a| below 1e14: a larger dividend overflows the cast.
    SELECT ledger_money(a::numeric(54, 40) / b)
$$;
"""

SIGNATURE = ("post_plain_move(uuid, uuid, text, text, numeric, text, text, numeric, text, text, text, "
             "text, text, text[])")

POST_PLAIN_MOVE = """
CREATE FUNCTION post_plain_move(
    p_tenant uuid, p_user uuid, p_kind text, p_sku text, p_quantity numeric,
    -- location codes, already stripped and upper-cased (NULL: the move has no such side)
    p_from text, p_to text,
    p_unit_cost numeric, p_reason text, p_ref_type text, p_ref_id text,
    p_key text, p_hash text,
    -- plugins that implement before_post_move or after_post_move: their tenants post in Python
    p_hooked_plugins text[],
    OUT o_move uuid, OUT o_seq bigint, OUT o_posted_at timestamptz, OUT o_item uuid,
    OUT o_from uuid, OUT o_to uuid, OUT o_unit_cost numeric, OUT o_total_cost numeric)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
-- Every statement here finds its rows by a key: one plan per session serves all calls.
-- Left to choose, PostgreSQL plans some of them afresh on every call (~0.3 ms a posting).
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    it record;
    lk_method text;
    layer record;
    bound text;
    direction text;
    held numeric := 0;
    after_source numeric;
    pos_qty numeric; pos_value numeric; pos_last numeric;
    value_in numeric; unit numeric; take numeric; taken numeric; left_qty numeric := p_quantity;
    take_ids uuid[]; take_qty numeric[]; take_value numeric[];
    layer_qty numeric; layer_cost numeric;
BEGIN
    -- 1. Tenant, item, locations, key, plugins (one statement: each costs an executor
    --    start). Anything unusual: the general path.
    bound := set_config('app.tenant_id', p_tenant::text, true);
    bound := set_config('app.user_id', coalesce(p_user::text, ''), true);
    SELECT i.id, i.tracking, i.standard_cost, i.allow_negative_stock,
           (SELECT array_agg(l.id) FROM location l WHERE l.tenant_id = p_tenant AND l.code = p_from) AS sources,
           (SELECT array_agg(l.id) FROM location l WHERE l.tenant_id = p_tenant AND l.code = p_to) AS targets,
           EXISTS (SELECT 1 FROM stock_move m WHERE m.tenant_id = p_tenant AND m.idempotency_key = p_key)
           OR EXISTS (SELECT 1 FROM tenant_plugin g
                      WHERE g.tenant_id = p_tenant AND g.name = ANY(p_hooked_plugins)) AS elsewhere
    INTO it
    FROM item i WHERE i.tenant_id = p_tenant AND i.sku = p_sku;
    IF it.id IS NULL OR it.tracking <> 'none' OR it.allow_negative_stock OR it.elsewhere
       OR (p_from IS NOT NULL AND cardinality(it.sources) IS DISTINCT FROM 1)
       OR (p_to IS NOT NULL AND cardinality(it.targets) IS DISTINCT FROM 1) THEN
        RETURN;
    END IF;
    o_from := it.sources[1];
    o_to := it.targets[1];
    IF o_from = o_to THEN
        RETURN;
    END IF;
    direction := CASE WHEN o_from IS NOT NULL AND o_to IS NOT NULL THEN 'transfer'
                      WHEN o_to IS NOT NULL THEN 'in' ELSE 'out' END;

    -- 2. The locks, in the one order every posting keeps (see ledger_lock(), migration 0115,
    --    which the general path calls): the balance rows by location id, then the item's
    --    valuation row, read with the open reservations where stock leaves; then the open
    --    FIFO layers (step 3). The same statements as ledger_lock's, for one untracked
    --    item: a call of it costs more than they do. A missing row (the first move of
    --    the item or into the location) is created by the general path.
    IF direction = 'transfer' THEN
        IF o_from::text < o_to::text THEN
            UPDATE stock_balance b SET quantity = b.quantity - p_quantity, updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = it.id AND b.location_id = o_from AND b.lot_id IS NULL
            RETURNING b.quantity INTO after_source;
            IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
            UPDATE stock_balance b SET quantity = b.quantity + p_quantity, updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = it.id AND b.location_id = o_to AND b.lot_id IS NULL;
            IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
        ELSE
            UPDATE stock_balance b SET quantity = b.quantity + p_quantity, updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = it.id AND b.location_id = o_to AND b.lot_id IS NULL;
            IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
            UPDATE stock_balance b SET quantity = b.quantity - p_quantity, updated_at = now()
            WHERE b.tenant_id = p_tenant AND b.item_id = it.id AND b.location_id = o_from AND b.lot_id IS NULL
            RETURNING b.quantity INTO after_source;
            IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
        END IF;
        SELECT coalesce(sum(o.remaining), 0) INTO held FROM reservation o
        WHERE o.tenant_id = p_tenant AND o.item_id = it.id AND o.location_id = o_from AND o.status = 'open'
          AND o.lot_id IS NULL;
    ELSE
        UPDATE stock_balance b
        SET quantity = b.quantity + CASE WHEN direction = 'out' THEN -p_quantity ELSE p_quantity END,
            updated_at = now()
        WHERE b.tenant_id = p_tenant AND b.item_id = it.id AND b.location_id = coalesce(o_from, o_to)
          AND b.lot_id IS NULL
        RETURNING b.quantity INTO after_source;
        IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
        SELECT v.method, v.quantity, v.value, v.last_unit_cost,
               CASE WHEN o_from IS NULL THEN 0 ELSE coalesce((SELECT sum(o.remaining) FROM reservation o
                    WHERE o.tenant_id = p_tenant AND o.item_id = it.id AND o.location_id = o_from
                      AND o.status = 'open' AND o.lot_id IS NULL), 0) END
        INTO lk_method, pos_qty, pos_value, pos_last, held
        FROM item_valuation v WHERE v.tenant_id = p_tenant AND v.item_id = it.id FOR UPDATE OF v;
        IF NOT FOUND THEN RAISE EXCEPTION 'no balance or valuation row yet' USING ERRCODE = 'PTNPM'; END IF;
    END IF;
    IF o_from IS NOT NULL AND after_source < held THEN
        RAISE EXCEPTION 'short of stock' USING ERRCODE = 'PTNPM';
    END IF;

    -- 3. The cost (core.inventory.valuation_math, for a position that is not negative).
    IF direction = 'in' THEN
        IF pos_qty < 0 THEN
            RAISE EXCEPTION 'negative position' USING ERRCODE = 'PTNPM';
        END IF;
        unit := coalesce(p_unit_cost, CASE WHEN p_kind = 'receipt' THEN it.standard_cost ELSE coalesce(
            nullif(CASE WHEN pos_qty > 0 THEN ledger_money_div(pos_value, pos_qty) END, 0),
            nullif(pos_last, 0), it.standard_cost) END);
        value_in := ledger_money(p_quantity * unit);
        IF value_in >= 1e14 THEN
            RAISE EXCEPTION 'value out of range' USING ERRCODE = 'PTNPM';
        END IF;
        o_unit_cost := unit;
        o_total_cost := value_in;
        IF lk_method = 'fifo' THEN
            pos_last := ledger_money_div(value_in, p_quantity);
            layer_qty := p_quantity;
            layer_cost := pos_last;
        ELSE
            pos_last := ledger_money_div(pos_value + value_in, pos_qty + p_quantity);
        END IF;
        pos_qty := pos_qty + p_quantity;
        pos_value := pos_value + value_in;
    ELSIF direction = 'out' THEN
        o_total_cost := 0;
        IF lk_method = 'fifo' THEN
            FOR layer IN
                SELECT c.id, c.remaining, c.remaining_value, c.unit_cost FROM cost_layer c
                WHERE c.tenant_id = p_tenant AND c.item_id = it.id AND c.remaining > 0
                ORDER BY c.seq
            LOOP
                EXIT WHEN left_qty <= 0;
                take := least(left_qty, layer.remaining);
                CONTINUE WHEN take <= 0;
                taken := CASE WHEN take = layer.remaining THEN layer.remaining_value
                              ELSE least(ledger_money(take * layer.unit_cost), layer.remaining_value) END;
                take_ids := take_ids || layer.id;
                take_qty := take_qty || -take;
                take_value := take_value || -taken;
                o_total_cost := o_total_cost + taken;
                left_qty := left_qty - take;
                pos_last := layer.unit_cost;
            END LOOP;
        ELSE
            IF pos_qty > p_quantity THEN
                IF abs(pos_value * p_quantity) >= 1e14 THEN  -- see ledger_money_div
                    RAISE EXCEPTION 'value out of range' USING ERRCODE = 'PTNPM';
                END IF;
                o_total_cost := greatest(ledger_money_div(pos_value * p_quantity, pos_qty), 0);
            ELSIF pos_qty = p_quantity THEN
                o_total_cost := greatest(pos_value, 0);
            END IF;
            left_qty := p_quantity - least(p_quantity, greatest(pos_qty, 0));
            pos_last := coalesce(nullif(CASE WHEN pos_qty > 0 THEN ledger_money_div(pos_value, pos_qty) END, 0),
                                 pos_last);
        END IF;
        IF left_qty > 0 THEN  -- costed beyond the stock: the Python path knows how
            RAISE EXCEPTION 'costed beyond the stock' USING ERRCODE = 'PTNPM';
        END IF;
        o_unit_cost := ledger_money_div(o_total_cost, p_quantity);
        pos_qty := pos_qty - p_quantity;
        pos_value := pos_value - o_total_cost;
    END IF;

    -- 4. The move (append only), what it took from its layers or its new layer, the
    --    position: one statement (a key taken meanwhile: unique_violation).
    o_move := gen_random_uuid();
    WITH m AS (
        INSERT INTO stock_move (tenant_id, id, batch_id, kind, item_id, quantity, from_location_id,
            to_location_id, unit_cost, total_cost, cost_variance, reason, reference_type, reference_id,
            idempotency_key, request_hash, posted_by)
        VALUES (p_tenant, o_move, o_move, p_kind, it.id, p_quantity, o_from, o_to, o_unit_cost,
            coalesce(o_total_cost, 0), 0, p_reason, p_ref_type, p_ref_id, p_key, p_hash, p_user)
        RETURNING seq, posted_at
    ), shifted AS (
        UPDATE cost_layer c SET remaining = c.remaining + d.quantity, remaining_value = c.remaining_value + d.value
        FROM unnest(take_ids, take_qty, take_value) AS d(id, quantity, value)
        WHERE c.tenant_id = p_tenant AND c.id = ANY(take_ids) AND c.id = d.id
    ), used AS (
        INSERT INTO cost_layer_use (tenant_id, move_id, layer_id, quantity, value)
        SELECT p_tenant, o_move, d.id, -d.quantity, -d.value
        FROM unnest(take_ids, take_qty, take_value) AS d(id, quantity, value)
    ), layer AS (
        INSERT INTO cost_layer (tenant_id, id, item_id, move_id, quantity, unit_cost, remaining, remaining_value)
        SELECT p_tenant, gen_random_uuid(), it.id, o_move, layer_qty, layer_cost, layer_qty, value_in
        WHERE layer_qty IS NOT NULL
    ), position AS (
        UPDATE item_valuation v SET quantity = pos_qty, value = pos_value, last_unit_cost = pos_last,
               updated_at = now()
        WHERE v.tenant_id = p_tenant AND v.item_id = it.id AND direction <> 'transfer'
    )
    SELECT m.seq, m.posted_at INTO o_seq, o_posted_at FROM m;
    o_item := it.id;
END
$$;
"""


def upgrade() -> None:
    op.execute(ROUNDING)
    op.execute(POST_PLAIN_MOVE)
    for function in ("ledger_money(numeric)",
                     "ledger_money_div(numeric, numeric)", SIGNATURE):
        grant_app_execute(function)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute("DROP FUNCTION ledger_money_div(numeric, numeric)")
    op.execute("DROP FUNCTION ledger_money(numeric)")
