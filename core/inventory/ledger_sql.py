"""The SQL of the posting path, run straight on the session's driver connection.

Why not SQLAlchemy constructs here: a posting is a handful of statements, and building,
caching and executing an ORM or Core statement costs 0.2–0.4 ms of Python each — most
of a posting's time. These statements are plain text with named parameters, executed by
psycopg on the connection (and inside the transaction) the session already holds;
psycopg prepares them after a few uses. Everything else in the inventory package uses
SQLAlchemy as usual.

Each statement filters by ``tenant_id`` explicitly (row-level security is the second
lock), and each says why it is shaped the way it is.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.orm import Session

from core.db import driver_connection


def run(session: Session, sql: str, params: dict[str, Any]) -> Any:
    """Execute ``sql`` in the session's transaction; return the psycopg cursor."""
    return driver_connection(session).execute(sql, params)


#: The item, the locations named by id or code, whether the idempotency key was used and
#: the tenant's enabled plugins (the posting's hooks ask for them) — one round trip. A
#: location matching several rows (a code in two plants) comes back twice; the caller
#: reports the ambiguity.
RESOLVE = """
SELECT i.id, i.sku, i.tracking, i.standard_cost, i.allow_negative_stock, i.shelf_life_days,
       l.id, l.code, l.plant_id, m.batch_id, m.request_hash,
       ARRAY(SELECT p.name FROM tenant_plugin p WHERE p.tenant_id = i.tenant_id) AS plugins
FROM item i
LEFT JOIN location l ON l.tenant_id = i.tenant_id
      AND (l.id = ANY(%(location_ids)s::uuid[]) OR l.code = ANY(%(location_codes)s::text[]))
LEFT JOIN stock_move m ON m.tenant_id = i.tenant_id AND m.idempotency_key = %(key)s AND m.id = m.batch_id
WHERE i.tenant_id = %(tenant)s AND (i.sku = %(sku)s OR i.id = %(item_id)s::uuid)
"""

#: A posting's locks and the reads they protect, in one round trip: the balance changes
#: (in the order given), the valuation row, the open reservations where stock leaves, the
#: open FIFO layers of an outbound move. See migration 0107 and core.inventory.locking.
LEDGER_LOCK = """
SELECT * FROM ledger_lock(%(tenant)s, %(item)s, %(locations)s::uuid[], %(lots)s::uuid[], %(deltas)s::numeric[],
                          %(valued)s, %(taking_from)s::uuid, %(fifo_take)s::numeric, %(prefer)s::uuid)
"""

#: Open FIFO layers oldest first (the layers of ``prefer`` first), only as many as
#: ``quantity`` needs: a running sum stops the list. Read under the valuation-row lock
#: (for the moves of a split posting after the first; ledger_lock reads the first's).
OPEN_LAYERS = """
SELECT id, remaining, remaining_value, unit_cost FROM (
    SELECT id, remaining, remaining_value, unit_cost,
           sum(remaining) OVER (ORDER BY (move_id = %(prefer)s::uuid) IS TRUE DESC, seq) - remaining AS before
    FROM cost_layer WHERE tenant_id = %(tenant)s AND item_id = %(item)s AND remaining > 0
) open_layers
WHERE before < %(quantity)s ORDER BY before
"""

#: The parts of the statement that writes a move (see :func:`write_move`): the move row
#: (append only; ON CONFLICT DO NOTHING returns nothing when the idempotency key or the
#: reversal was taken by a concurrent posting), the layers it draws from or gives back
#: to, what it took from each, a new layer, and the item's new position. Foreign keys to
#: the move are checked at the end of the statement, when the move row exists.
_MOVE = """
WITH m AS (
    INSERT INTO stock_move (tenant_id, id, batch_id, kind, item_id, quantity, from_location_id,
        to_location_id, lot_id, serials, unit_cost, total_cost, cost_variance, reason, reference_type,
        reference_id, reservation_id, reverses_move_id, idempotency_key, request_hash, posted_by)
    VALUES (%(tenant)s, %(id)s, %(batch)s, %(kind)s, %(item)s, %(quantity)s, %(source)s, %(target)s,
        %(lot)s, %(serials)s, %(unit_cost)s, %(total_cost)s, %(variance)s, %(reason)s, %(ref_type)s,
        %(ref_id)s, %(reservation)s, %(reverses)s, %(key)s, %(hash)s, %(user)s)
    ON CONFLICT DO NOTHING
    RETURNING id, seq, posted_at
)"""
_SHIFTED = """, shifted AS (
    UPDATE cost_layer c SET remaining = c.remaining + d.quantity, remaining_value = c.remaining_value + d.value
    FROM m, unnest(%(shift_ids)s::uuid[], %(shift_qty)s::numeric[], %(shift_value)s::numeric[])
         AS d(id, quantity, value)
    WHERE c.tenant_id = %(tenant)s AND c.id = ANY(%(shift_ids)s::uuid[]) AND c.id = d.id
)"""
_USED = """, used AS (
    INSERT INTO cost_layer_use (tenant_id, move_id, layer_id, quantity, value)
    SELECT %(tenant)s, m.id, d.id, -d.quantity, -d.value
    FROM m, unnest(%(shift_ids)s::uuid[], %(shift_qty)s::numeric[], %(shift_value)s::numeric[])
         AS d(id, quantity, value)
)"""
_LAYER = """, layer AS (
    INSERT INTO cost_layer (tenant_id, id, item_id, move_id, quantity, unit_cost, remaining, remaining_value)
    SELECT %(tenant)s, gen_random_uuid(), %(item)s, m.id, %(layer_qty)s::numeric, %(layer_cost)s::numeric,
           %(layer_qty)s::numeric, %(layer_value)s::numeric
    FROM m
)"""
_POSITION = """, position AS (
    UPDATE item_valuation v SET quantity = %(pos_qty)s::numeric, value = %(pos_value)s::numeric,
           last_unit_cost = %(pos_last)s::numeric, updated_at = now()
    FROM m WHERE v.tenant_id = %(tenant)s AND v.item_id = %(item)s
)"""


@functools.cache
def write_move(shift: bool, use: bool, layer: bool, position: bool) -> str:
    """The statement that writes a move with only the valuation changes it makes.

    ``shift``: change layers (``shift_*``: negative when taken, positive when given back);
    ``use``: record what was taken from them (an outbound move); ``layer``: create one;
    ``position``: set the item's new position. A transfer writes the move alone. A part
    left out costs nothing: the server plans and initialises only what is in the text
    (each of the few combinations is prepared once per connection).
    """
    parts = [_MOVE, _SHIFTED if shift else "", _USED if use else "", _LAYER if layer else "",
             _POSITION if position else ""]
    return "".join(parts) + "\nSELECT seq, posted_at FROM m\n"
