"""Helpers for the count, report and scan tests: a small plant, stock posted through the
ledger, members with other roles, and back-dated moves for period reports.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from core import db
from core.auth.tokens import issue_token
from core.config import get_settings
from core.inventory.models import StockBalance
from core.inventory.move_types import MovePosted, MoveRequest
from core.inventory.posting import post_stock_move
from tests.support import TenantHandle, sign_up


def setup_plant(t: TenantHandle) -> dict[str, Any]:
    """WH1 > Z1 > (B1, B2) and WH2; items BOLT (2.00), NUT (1.00), GLUE (lot, 5.00)."""
    ids: dict[str, Any] = {}
    wh = t.post("/api/v1/locations", json={"code": "WH1", "name": "Main", "kind": "warehouse"}).json()
    zone = t.post("/api/v1/locations", json={"code": "Z1", "name": "Zone 1", "kind": "zone",
                                             "parent_id": wh["id"]}).json()
    for code in ("B1", "B2"):
        ids[code] = t.post("/api/v1/locations", json={"code": code, "name": f"Bin {code}", "kind": "bin",
                                                      "parent_id": zone["id"]}).json()["id"]
    ids["WH2"] = t.post("/api/v1/locations", json={"code": "WH2", "name": "Other",
                                                   "kind": "warehouse"}).json()["id"]
    ids["WH1"], ids["Z1"] = wh["id"], zone["id"]
    for sku, cost, tracking in (("BOLT", "2", "none"), ("NUT", "1", "none"), ("GLUE", "5", "lot")):
        answer = t.post("/api/v1/items", json={"sku": sku, "name": f"{sku.title()} part",
                                               "standard_cost": cost, "tracking": tracking})
        assert answer.status_code == 201, answer.text
        ids[sku] = answer.json()["id"]
    return ids


def add_pumps(t: TenantHandle, ids: dict[str, Any]) -> None:
    """PUMP (serial-tracked, 100.00): S1, S2, S3 at B1 and S4 at B2 (after :func:`setup_plant`)."""
    answer = t.post("/api/v1/items", json={"sku": "PUMP", "name": "Pump", "standard_cost": "100",
                                           "tracking": "serial"})
    assert answer.status_code == 201, answer.text
    ids["PUMP"] = answer.json()["id"]
    post(t, "receipt", "PUMP", "3", to_location="B1", serials=("S1", "S2", "S3"))
    post(t, "receipt", "PUMP", "1", to_location="B2", serials=("S4",))


def post(t: TenantHandle, kind: str, sku: str, qty: str, **kw: Any) -> MovePosted:
    """Post a move through the ledger service (as the API would)."""
    if kw.get("unit_cost") is not None:
        kw["unit_cost"] = Decimal(kw["unit_cost"])
    request = MoveRequest(kind=kind, sku=sku, quantity=Decimal(qty),
                          idempotency_key=kw.pop("key", uuid.uuid4().hex), **kw)
    return post_stock_move(t.tenant_id, request, t.user_id)


def balance(t: TenantHandle, item_id: str, location_id: str, lot_id: uuid.UUID | None = None) -> Decimal:
    with db.tenant_session(t.tenant_id) as session:
        rows = session.query(StockBalance.quantity).filter(
            StockBalance.tenant_id == t.tenant_id, StockBalance.item_id == uuid.UUID(item_id),
            StockBalance.location_id == uuid.UUID(location_id),
            StockBalance.lot_id.is_(None) if lot_id is None else StockBalance.lot_id == lot_id).all()
        return rows[0][0] if rows else Decimal(0)


def member(t: TenantHandle, owner_engine: Any, role: str) -> TenantHandle:
    """Another person in ``t``'s tenant with ``role`` (and a token for that tenant)."""
    other = sign_up(t.client)
    with owner_engine.begin() as conn:
        conn.execute(text("INSERT INTO membership (tenant_id, user_id, role) VALUES (:t, :u, :r)"),
                     {"t": t.tenant_id, "u": other.user_id, "r": role})
    settings = get_settings()
    token = issue_token(settings.secret_key, other.user_id, t.tenant_id, 3600)
    return TenantHandle(t.tenant_id, t.plant_id, other.user_id, other.email, token, t.client)


def insert_move(owner_engine: Any, t: TenantHandle, when: datetime, kind: str, item_id: str, qty: str,
                cost: str, from_id: str | None = None, to_id: str | None = None, reason: str | None = None,
                variance: str = "0", reverses: uuid.UUID | None = None) -> uuid.UUID:
    """A ledger row posted at ``when`` (moves are never back-dated by the service; period
    reports are tested on history written straight into the table, as the owner)."""
    move_id = uuid.uuid4()
    with owner_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO stock_move (tenant_id, id, batch_id, kind, item_id, quantity, from_location_id, "
            "to_location_id, total_cost, cost_variance, reason, reverses_move_id, idempotency_key, "
            "request_hash, posted_at) VALUES (:t, :id, :id, :kind, :item, :qty, :src, :dst, :cost, :var, "
            ":reason, :rev, :key, 'test', :when)"),
            {"t": t.tenant_id, "id": move_id, "kind": kind, "item": item_id, "qty": Decimal(qty),
             "src": from_id, "dst": to_id, "cost": Decimal(cost), "var": Decimal(variance),
             "reason": reason, "rev": reverses, "key": f"test-{move_id}", "when": when})
    return move_id
