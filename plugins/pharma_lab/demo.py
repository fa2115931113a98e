"""Demo data for "Demo Lab" (login pharma@plantops.local): a QC lab's reagent store.

Reagents with profiles and lots — acetonitrile HPLC grade, a phosphate buffer and a
caffeine reference standard — one acetonitrile lot waiting in quarantine, the others
released under QA's signature (lab-qa@plantops.local, same demo password), the buffer
opened, a certificate of analysis, two assay methods and runs over the next days, one of
them short of buffer so that its alert shows. Everything goes through the services.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from core import db
from core.catalog.items import add_item
from core.catalog.locations import create_location
from core.demo import DEMO_PASSWORD
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_stock_move
from core.tenancy.roles import Role
from core.tenancy.team import accept_invitation, invitation_token, invite
from plugins.pharma_lab import assays, coa, reagents, signatures

QA_EMAIL = "lab-qa@plantops.local"
STORE = "LAB-STORE"
ITEMS = [
    {"sku": "ACN-HPLC", "name": "Acetonitrile, HPLC grade", "uom": "L", "tracking": "lot", "shelf_life_days": 730,
     "standard_cost": "38", "kind": "buy", "lead_time_days": 7},
    {"sku": "BUF-PH7", "name": "Phosphate buffer pH 7.0", "uom": "L", "tracking": "lot", "shelf_life_days": 365,
     "standard_cost": "12", "kind": "buy", "lead_time_days": 5},
    {"sku": "REF-CAF", "name": "Caffeine reference standard (USP)", "uom": "G", "tracking": "lot",
     "shelf_life_days": 1095, "standard_cost": "210", "kind": "buy", "lead_time_days": 21},
]
PROFILES = {
    "ACN-HPLC": {"hazard_classes": ["GHS02", "GHS07"], "storage_condition": "flammables_cabinet", "in_use_days": 90,
                 "min_stock": Decimal(8), "max_stock": Decimal(40)},
    "BUF-PH7": {"hazard_classes": [], "storage_condition": "refrigerated", "in_use_days": 30,
                "min_stock": Decimal(2), "max_stock": Decimal(10)},
    "REF-CAF": {"hazard_classes": ["GHS07"], "storage_condition": "desiccator", "in_use_days": 180,
                "min_stock": Decimal("0.5"), "max_stock": Decimal(5)},
}
#: (sku, lot, quantity, supplier lot, released?)
LOTS = [("ACN-HPLC", "ACN-2611", "12", "HX-88121", True), ("ACN-HPLC", "ACN-2648", "8", "HX-88347", False),
        ("BUF-PH7", "BUF-0917", "1.2", "PB-0917", True), ("REF-CAF", "REF-0042", "2", "USP-R042", True)]
COA_TEXT = (b"Certificate of analysis\nProduct: Acetonitrile, HPLC grade\nLot: HX-88121\n"
            b"Assay (GC): 99.98 %\nWater (KF): 0.01 %\nUV cut-off: 190 nm\nResult: conforms\n")


def _qa_member(tenant_id: uuid.UUID, owner_id: uuid.UUID) -> uuid.UUID:
    sent = invite(tenant_id, owner_id, Role.OWNER, QA_EMAIL, Role.QA.value)
    return accept_invitation(invitation_token(tenant_id, sent.id, sent.expires_at), DEMO_PASSWORD).user_id


def _stock(tenant_id: uuid.UUID, user_id: uuid.UUID, qa: signatures.Signer) -> None:
    for sku, lot, quantity, supplier_lot, release in LOTS:
        post_stock_move(tenant_id, MoveRequest(
            kind="receipt", sku=sku, quantity=Decimal(quantity), to_location=STORE, lot=lot,
            supplier_lot=supplier_lot, reason="delivery", idempotency_key=f"demo-lab-{lot}"), user_id)
        if lot == "ACN-2611":
            coa.upload_coa(tenant_id, lot, coa.CoaUpload("CoA HX-88121.txt", "text/plain", COA_TEXT), user_id)
        if release:
            signatures.sign_lot(tenant_id, qa, lot, signatures.SignatureRequest(
                "release", DEMO_PASSWORD, "QC release: approved for use",
                "Certificate of analysis reviewed, identity test (IR) conforms"))
    reagents.open_lot(tenant_id, "BUF-0917", date.today(), user_id)


def _schedule(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    assays.create_method(tenant_id, {"name": "HPLC assay, caffeine", "description": "USP <621>, 10 injections",
                                     "reagents": [{"sku": "ACN-HPLC", "quantity": "2"},
                                                  {"sku": "BUF-PH7", "quantity": "0.5"},
                                                  {"sku": "REF-CAF", "quantity": "0.1"}]}, user_id)
    assays.create_method(tenant_id, {"name": "Dissolution test", "description": "Paddle, 900 mL buffer",
                                     "reagents": [{"sku": "BUF-PH7", "quantity": "0.9"}]}, user_id)
    today = date.today()
    for method, days in (("HPLC assay, caffeine", 1), ("Dissolution test", 2), ("HPLC assay, caffeine", 8)):
        assays.schedule_run(tenant_id, {"method": method, "location": STORE,
                                        "scheduled_on": today + timedelta(days=days)}, user_id)


def seed(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Create the lab's store, reagents, lots, signatures and assay schedule."""
    create_location(tenant_id, {"code": STORE, "name": "Reagent store", "kind": "warehouse"})
    with db.tenant_session(tenant_id, user_id) as session:
        for raw in ITEMS:
            add_item(session, tenant_id, raw)
    for sku, profile in PROFILES.items():
        reagents.save_reagent(tenant_id, sku, dict(profile), user_id)
    qa_id = _qa_member(tenant_id, user_id)
    _stock(tenant_id, user_id, signatures.Signer(qa_id, QA_EMAIL))
    _schedule(tenant_id, user_id)
