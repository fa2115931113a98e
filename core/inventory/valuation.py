"""Valuation on the database: the item's valuation row and its FIFO layers.

Every move that brings stock in or takes it out (not transfers) locks the item's
``item_valuation`` row (:mod:`core.inventory.locking`) — after its balance rows, in every
posting — so valuation of one item is serialized and layer rows need no locks of their own. The arithmetic is in
:mod:`core.inventory.valuation_math`; what a move changes is written together with the
move (:func:`core.inventory.ledger_sql.write_move`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.inventory.ledger_sql import OPEN_LAYERS, run
from core.inventory.models import CostLayerUse
from core.inventory.valuation_math import Layer, Take


def open_layers(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, quantity: Decimal,
                prefer_move: uuid.UUID | None = None) -> list[Layer]:
    """Open layers oldest first, only as many as ``quantity`` needs.

    ``prefer_move``: the layers that move created come first (reversing a receipt takes
    back its own layer).
    """
    rows = run(session, OPEN_LAYERS, {"tenant": tenant_id, "item": item_id, "quantity": quantity,
                                      "prefer": prefer_move})
    return [Layer(*row) for row in rows]


def layer_uses(session: Session, tenant_id: uuid.UUID, move_id: uuid.UUID) -> list[Take]:
    """What ``move_id`` took from each layer (to give it back on reversal)."""
    rows = session.execute(
        select(CostLayerUse.layer_id, CostLayerUse.quantity, CostLayerUse.value)
        .where(CostLayerUse.tenant_id == tenant_id, CostLayerUse.move_id == move_id)
    )
    return [Take(*row) for row in rows]
