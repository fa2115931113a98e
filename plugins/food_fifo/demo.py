"""Demo data for "Demo Food": a yoghurt dairy.

Raw milk lots with different expiries (one expiring in two days, one already past its
date with some of it written off as spoilage), culture and sugar (sugar picked FIFO), a
500 g yoghurt with its bill of material, two production batches made through the
ledger, a shipment, customer orders, the day's expiry scan and an MRP run.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import db
from core.catalog.bom import replace_bom
from core.catalog.items import add_item
from core.catalog.locations import create_location
from core.daily_scan import scan_now
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_stock_move
from core.planning.demand import create_sales_order
from core.planning.mrp_run import start_mrp_run
from core.tenancy.plants import list_plants
from plugins.food_fifo.batches import BatchRequest, make_batch
from plugins.food_fifo.settings import set_policy

ITEMS: list[dict[str, Any]] = [
    {"sku": "RAW-MILK", "name": "Raw milk", "uom": "L", "tracking": "lot", "shelf_life_days": 7, "kind": "buy",
     "lead_time_days": 2, "standard_cost": "0.45"},
    {"sku": "CULTURE", "name": "Yoghurt culture", "tracking": "lot", "shelf_life_days": 180, "kind": "buy",
     "lead_time_days": 10, "standard_cost": "38"},
    {"sku": "SUGAR", "name": "Cane sugar (kg)", "tracking": "lot", "shelf_life_days": 720, "kind": "buy",
     "lead_time_days": 5, "standard_cost": "0.9"},
    {"sku": "JAR-500", "name": "Glass jar 500 g", "kind": "buy", "lead_time_days": 5, "standard_cost": "0.12"},
    {"sku": "YOG-500", "name": "Natural yoghurt 500 g", "tracking": "lot", "shelf_life_days": 21, "kind": "make",
     "lead_time_days": 1, "standard_cost": "0.85"},
]
BOM: list[dict[str, Any]] = [{"sku": "RAW-MILK", "quantity": "0.52"}, {"sku": "CULTURE", "quantity": "0.002"},
       {"sku": "SUGAR", "quantity": "0.03"}, {"sku": "JAR-500", "quantity": 1}]


def _receive(tenant_id: uuid.UUID, user_id: uuid.UUID, sku: str, quantity: str, location: str,
             lot: str | None, expiry: date | None) -> None:
    post_stock_move(tenant_id, MoveRequest(kind="receipt", sku=sku, quantity=Decimal(quantity), to_location=location,
                                           lot=lot, expiry_date=expiry, reason="receipt",
                                           idempotency_key=f"food-demo-receipt-{sku}-{lot}"), user_id)


def seed_food_demo(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Write the dairy's demo data through the services."""
    today = date.today()
    for code, name in (("COLD", "Cold store"), ("DRY", "Dry store"), ("FG", "Finished goods chiller")):
        create_location(tenant_id, {"code": code, "name": name, "kind": "warehouse"})
    with db.tenant_session(tenant_id) as session:
        for raw in ITEMS:
            add_item(session, tenant_id, raw)
    replace_bom(tenant_id, "YOG-500", BOM)
    set_policy(tenant_id, "SUGAR", "fifo")
    for sku, quantity, location, lot, expiry in [
        ("RAW-MILK", "50", "COLD", "MILK-0411", today - timedelta(days=1)),
        ("RAW-MILK", "400", "COLD", "MILK-0417", today + timedelta(days=2)),
        ("RAW-MILK", "600", "COLD", "MILK-0419", today + timedelta(days=6)),
        ("CULTURE", "5", "COLD", "CUL-2201", today + timedelta(days=150)),
        ("SUGAR", "200", "DRY", "SUG-88", today + timedelta(days=600)),
        ("JAR-500", "3000", "DRY", None, None),
    ]:
        _receive(tenant_id, user_id, sku, quantity, location, lot, expiry)
    # The jars and sugar live in the dry store: bring the batch's share to the cold store.
    for sku, quantity, lot in (("JAR-500", "1000", None), ("SUGAR", "40", "SUG-88")):
        post_stock_move(tenant_id, MoveRequest(kind="transfer", sku=sku, quantity=Decimal(quantity),
                                               from_location="DRY", to_location="COLD", lot=lot,
                                               idempotency_key=f"food-demo-stage-{sku}"), user_id)
    for number, quantity, day in (("B-0001", "300", today - timedelta(days=2)), ("B-0002", "400", today)):
        make_batch(tenant_id, BatchRequest(number=number, sku="YOG-500", quantity=Decimal(quantity),
                                           from_location="COLD", to_location="FG", batch_date=day), user_id)
    post_stock_move(tenant_id, MoveRequest(
        kind="issue", sku="YOG-500", quantity=Decimal(120), from_location="FG", lot="B-0001", reason="shipment",
        reference_type="sales_order", reference_id="SO-2001", idempotency_key="food-demo-ship-1"), user_id)
    post_stock_move(tenant_id, MoveRequest(
        kind="scrap", sku="RAW-MILK", quantity=Decimal(20), from_location="COLD", lot="MILK-0411",
        reason="spoilage", idempotency_key="food-demo-spoilage-1"), user_id)
    monday = today - timedelta(days=today.weekday())
    create_sales_order(tenant_id, {"number": "SO-2002", "customer": "Corner Deli", "lines": [
        {"sku": "YOG-500", "quantity": 600, "due_date": monday + timedelta(days=9)},
        {"sku": "YOG-500", "quantity": 900, "due_date": monday + timedelta(days=16)}]})
    create_sales_order(tenant_id, {"number": "SO-2003", "customer": "School canteen", "lines": [
        {"sku": "YOG-500", "quantity": 1200, "due_date": monday + timedelta(days=23)}]})
    scan_now(tenant_id, today)
    start_mrp_run(tenant_id, list_plants(tenant_id)[0].id, user_id)
