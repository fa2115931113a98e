"""Receiving a food lot: its expiry date is set at receipt, from one of three sources.

1. ``given``: the receiver typed it (``expiry_date``);
2. ``gs1``: scanned from the supplier's GS1 label (AI 17, through core's scan parser),
   which also gives the GTIN (the item whose sku it is) and the lot (AI 10);
3. ``shelf_life``: neither: core's default, the received date + the item's shelf life.

A receipt into an existing lot keeps that lot's date (``existing_lot``). A typed value
that contradicts the label is refused (422 naming the field): the receiver rescans or
corrects rather than booking a date nobody can vouch for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import db
from core.errors import InvalidInput
from core.inventory.lots import find_lot_ref
from core.inventory.move_types import MoveRequest, MoveView
from core.inventory.posting import post_stock_move
from core.inventory.refs import find_stock_item
from core.inventory.scan import Gs1Fields, clean_code, parse_gs1, scan_code


@dataclass(frozen=True)
class FoodReceipt:
    """What to receive; ``code`` is a scanned GS1 label (optional)."""

    quantity: Decimal
    to_location: str
    idempotency_key: str
    code: str | None = None
    sku: str | None = None
    lot: str | None = None
    expiry_date: date | None = None
    supplier_lot: str | None = None
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class ReceiptResult:
    move: MoveView
    created: bool
    expiry_date: date | None
    expiry_source: str


def _agree(given: str | date | None, scanned: str | date | None, field: str) -> str | date | None:
    if given is not None and scanned is not None and given != scanned:
        raise InvalidInput(f"{field} {given} differs from the scanned label's {scanned}", field)
    return given if given is not None else scanned


def _label(tenant_id: uuid.UUID, code: str) -> tuple[Gs1Fields, str | None]:
    """The label's GS1 fields and the sku of the item its GTIN names (if any)."""
    text = clean_code(code)
    fields = parse_gs1(text)
    if fields is None:
        raise InvalidInput("code is not a GS1 label (expected GTIN, lot and expiry elements)", "code")
    found = scan_code(tenant_id, text)
    return fields, found.item.sku if found.item else None


def _source(tenant_id: uuid.UUID, sku: str, lot: str, given: date | None, scanned: date | None) -> str:
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, sku)
        if given is not None:
            return "given"
        if scanned is not None:
            return "gs1"
        if find_lot_ref(session, tenant_id, item.id, lot) is not None:
            return "existing_lot"
        return "shelf_life" if item.shelf_life_days else "none"


def receive(tenant_id: uuid.UUID, request: FoodReceipt, user_id: uuid.UUID | None) -> ReceiptResult:
    """Post the receipt with the lot's expiry from the best source; say which one."""
    scanned, label_sku = (None, None) if request.code is None else _label(tenant_id, request.code)
    sku = _agree(request.sku, label_sku, "sku")
    if sku is None:
        raise InvalidInput("sku is required (or scan a label whose GTIN is an item's sku)", "sku")
    lot = _agree(request.lot, scanned.lot if scanned else None, "lot")
    if lot is None:
        raise InvalidInput("lot is required (or scan a label that carries one, AI 10)", "lot")
    scanned_expiry = scanned.expiry_date if scanned else None
    expiry = _agree(request.expiry_date, scanned_expiry, "expiry_date")
    assert isinstance(sku, str) and isinstance(lot, str) and (expiry is None or isinstance(expiry, date))
    source = _source(tenant_id, sku, lot, request.expiry_date, scanned_expiry)
    posted = post_stock_move(tenant_id, MoveRequest(
        kind="receipt", sku=sku, quantity=request.quantity, to_location=request.to_location, lot=lot,
        expiry_date=expiry, supplier_lot=request.supplier_lot,
        unit_cost=request.unit_cost, reason="receipt", idempotency_key=request.idempotency_key), user_id)
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, sku)
        ref = find_lot_ref(session, tenant_id, item.id, lot)
    return ReceiptResult(posted.move, posted.created, ref.expiry_date if ref else None, source)
