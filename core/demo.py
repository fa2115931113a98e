"""Demo data: a tenant "Demo Plant" with a login, locations and items, created once;
and one demo tenant per industry plugin that seeds its own (``seed_demo`` hook)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core import db
from core.catalog.bom import replace_bom
from core.catalog.items import add_item
from core.catalog.locations import create_location
from core.errors import Conflict
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_stock_move
from core.planning.demand import create_sales_order, save_forecasts
from core.planning.mrp_run import start_mrp_run
from core.plugins import call_plugin, implementers, installed_plugins
from core.tenancy.models import User
from core.tenancy.plants import list_plants
from core.tenancy.plugin_settings import change_plugin
from core.tenancy.signup import signup

DEMO_EMAIL = "demo@plantops.local"
DEMO_PASSWORD = "Oak-table-2026"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    created: bool
    tenant: str = "Demo Plant"


def _seed_catalog(tenant_id: uuid.UUID) -> None:
    wh = create_location(tenant_id, {"code": "WH1", "name": "Main warehouse", "kind": "warehouse"})
    for zone_code, zone_name, bins in (("RAW", "Raw materials", 3), ("FG", "Finished goods", 2)):
        zone = create_location(tenant_id, {"code": zone_code, "name": zone_name, "kind": "zone",
                                           "parent_id": wh.id})
        for n in range(1, bins + 1):
            create_location(tenant_id, {"code": f"{zone_code}-{n:02d}", "name": f"Bin {n}",
                                        "kind": "bin", "parent_id": zone.id})
    items = [
        {"sku": "TABLE-01", "name": "Oak dining table", "kind": "make", "lead_time_days": 5,
         "lot_sizing": {"rule": "lot_for_lot"}, "standard_cost": "120"},
        {"sku": "LEG-01", "name": "Oak table leg", "kind": "make", "lead_time_days": 3,
         "lot_sizing": {"rule": "fixed", "quantity": 200}, "standard_cost": "8.5"},
        {"sku": "TOP-01", "name": "Oak table top", "kind": "make", "lead_time_days": 4,
         "lot_sizing": {"rule": "poq", "periods": 2}, "standard_cost": "60"},
        {"sku": "OAK-BOARD", "name": "Oak board 2m", "uom": "M", "lead_time_days": 10,
         "safety_stock": "40", "tracking": "lot", "standard_cost": "14.2",
         "lot_sizing": {"rule": "eoq", "annual_demand": 5200, "setup_cost": 50,
                        "holding_cost_per_unit_year": 2}},
        {"sku": "SCREW-M6", "name": "Screw M6x40", "uom": "BOX", "lead_time_days": 7,
         "safety_stock": "10", "standard_cost": "4.9",
         "lot_sizing": {"rule": "lot_for_lot", "multiple": 5}},
        {"sku": "VARNISH", "name": "Clear varnish", "uom": "L", "lead_time_days": 14,
         "tracking": "lot", "shelf_life_days": 365, "standard_cost": "11"},
        {"sku": "SANDER-01", "name": "Orbital sander", "lead_time_days": 10,
         "tracking": "serial", "standard_cost": "210"},
    ]
    with db.tenant_session(tenant_id) as session:
        for raw in items:
            add_item(session, tenant_id, raw)


def _seed_stock_and_plan(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Stock on the shelves, a bill of material, orders and a forecast, and a first MRP run,
    so that every page has something true to show."""
    today = date.today()
    replace_bom(tenant_id, "TABLE-01", [{"sku": "LEG-01", "quantity": 4}, {"sku": "TOP-01", "quantity": 1},
                                        {"sku": "SCREW-M6", "quantity": "0.1"}, {"sku": "VARNISH", "quantity": "0.4"}])
    replace_bom(tenant_id, "LEG-01", [{"sku": "OAK-BOARD", "quantity": "0.5", "scrap_pct": 5}])
    replace_bom(tenant_id, "TOP-01", [{"sku": "OAK-BOARD", "quantity": 3, "scrap_pct": 5}])
    receipts = [("OAK-BOARD", "120", "RAW-01", "OAK-2611"), ("SCREW-M6", "12", "RAW-02", None),
                ("VARNISH", "30", "RAW-03", "VAR-0917"), ("LEG-01", "40", "FG-01", None),
                ("TABLE-01", "6", "FG-02", None)]
    for sku, quantity, location, lot in receipts:
        post_stock_move(tenant_id, MoveRequest(
            kind="receipt", sku=sku, quantity=Decimal(quantity), to_location=location, lot=lot,
            reason="opening stock", idempotency_key=f"demo-opening-{sku}"), user_id)
    # A serial-tracked tool, so that a cycle count of RAW-03 asks for serials to be scanned.
    post_stock_move(tenant_id, MoveRequest(
        kind="receipt", sku="SANDER-01", quantity=Decimal(3), to_location="RAW-03",
        serials=("SND-2401", "SND-2402", "SND-2403"), reason="opening stock",
        idempotency_key="demo-opening-SANDER-01"), user_id)
    monday = today - timedelta(days=today.weekday())
    create_sales_order(tenant_id, {"number": "SO-1001", "customer": "Bistro Lumière", "lines": [
        {"sku": "TABLE-01", "quantity": 12, "due_date": monday + timedelta(days=9)},
        {"sku": "TABLE-01", "quantity": 8, "due_date": monday + timedelta(days=23)}]})
    create_sales_order(tenant_id, {"number": "SO-1002", "customer": "Hotel Riviera", "lines": [
        {"sku": "TABLE-01", "quantity": 25, "due_date": monday + timedelta(days=30)}]})
    save_forecasts(tenant_id, [{"sku": "TABLE-01", "period_start": monday + timedelta(weeks=w), "quantity": 15}
                               for w in range(2, 12)])
    plant_id = list_plants(tenant_id)[0].id
    start_mrp_run(tenant_id, plant_id, user_id)


def ensure_demo_tenant() -> DemoLogin:
    """Create the demo tenant with its login unless the demo user already exists."""
    with db.global_session() as session:
        exists = session.scalar(select(User.id).where(User.email == DEMO_EMAIL))
    if exists:
        return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, created=False)
    try:
        result = signup("Demo Plant", "Demo Plant", DEMO_EMAIL, DEMO_PASSWORD)
    except Conflict:
        return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, created=False)
    _seed_catalog(result.tenant_id)
    _seed_stock_and_plan(result.tenant_id, result.user_id)
    return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, created=True)


def ensure_demo_tenants() -> list[DemoLogin]:
    """The core demo tenant, then one per plugin that implements ``seed_demo``."""
    logins = [ensure_demo_tenant()]
    seeders = implementers("seed_demo")
    for name, info in installed_plugins().items():
        if name in seeders:
            logins.append(_ensure_plugin_demo(name, info.title or name))
    return logins


def _ensure_plugin_demo(plugin: str, title: str) -> DemoLogin:
    """A tenant "Demo <title>" with ``plugin`` enabled and the plugin's own demo data."""
    email, tenant = f"{plugin.split('_')[0]}@plantops.local", f"Demo {title}"
    with db.global_session() as session:
        if session.scalar(select(User.id).where(User.email == email)):
            return DemoLogin(email, DEMO_PASSWORD, created=False, tenant=tenant)
    result = signup(tenant, f"{title} plant", email, DEMO_PASSWORD, plan="growth")
    change_plugin(result.tenant_id, result.user_id, plugin, True)
    call_plugin(plugin, "seed_demo", tenant_id=result.tenant_id, user_id=result.user_id)
    return DemoLogin(email, DEMO_PASSWORD, created=True, tenant=tenant)
