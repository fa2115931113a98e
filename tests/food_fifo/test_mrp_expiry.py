"""MRP with expiring stock: a lot is supply only for the requirements before it expires;
what it has left then is lost and planned orders cover the later requirements. A tenant
without the plugin plans as before."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from core.planning.expiring_supply import ExpiringLot, unused_at_expiry
from tests.food_fifo.support import receive, setup_dairy
from tests.planning_app.support import in_period, order
from tests.planning_app.test_mrp_run import run_mrp
from tests.support import TenantHandle


def _planned(tenant: TenantHandle, run_id: str, sku: str) -> list[tuple[str, str]]:
    rows = tenant.get(f"/api/v1/mrp/runs/{run_id}/planned-orders", params={"sku": sku}).json()["items"]
    return [(o["quantity"], o["due_date"]) for o in rows]


def test_stock_expiring_before_the_demand_raises_a_planned_order(tenant: TenantHandle,
                                                                 other_tenant: TenantHandle) -> None:
    setup_dairy(tenant)
    setup_dairy(other_tenant, food=False)
    for who in (tenant, other_tenant):
        receive(who, "MILK", "M-40", "40", in_period(3))  # good until the Wednesday of week 3
        order(who, "SO-1", [("MILK", 30, 2), ("MILK", 30, 4)])
    run = run_mrp(tenant)
    # Week 2 takes 30 of the lot; its last 10 expire in week 3: week 4 needs all 30 anew.
    assert [q for q, _ in _planned(tenant, run["id"], "MILK")] == ["30"]
    assert any(n.startswith("lot M-40: 10 of 40 expires unused") for n in run["counts"]["notes"])
    plain = run_mrp(other_tenant)
    assert [q for q, _ in _planned(other_tenant, plain["id"], "MILK")] == ["20"]  # core counts all 40
    # The same stock, good beyond the last demand, is supply for all of it.
    assert tenant.patch("/api/v1/lots/M-40", json={"expiry_date": in_period(6)}).status_code == 200
    lasting = run_mrp(tenant)
    assert [q for q, _ in _planned(tenant, lasting["id"], "MILK")] == ["20"]
    assert not any("M-40" in n for n in lasting["counts"]["notes"])
    # Good only until before the first demand's week ends: none of it is supply.
    assert tenant.patch("/api/v1/lots/M-40", json={"expiry_date": in_period(1)}).status_code == 200
    gone = run_mrp(tenant)
    assert [q for q, _ in _planned(tenant, gone["id"], "MILK")] == ["30", "30"]
    assert f"lot M-40 expires on {in_period(1)}: not supply after that" in gone["counts"]["notes"]


def test_first_expiring_first_consumption() -> None:
    """The loss arithmetic on its own: allocations and requirements eat the earliest lots."""
    item_id = uuid.uuid4()
    soon = ExpiringLot(item_id, "SOON", Decimal(10), date.today(), 2)
    later = ExpiringLot(item_id, "LATER", Decimal(10), date.today() + timedelta(days=14), 3)
    lost = unused_at_expiry([later, soon], Decimal(3), [Decimal(4), Decimal(5), Decimal(0)])
    # Allocated 3 and period 1's 4 take 7 of SOON, so 3 are left when it expires at period 2;
    # period 2's 5 come out of LATER, which loses its other 5 at period 3.
    assert [(lot.lot_code, q) for lot, q in lost] == [("SOON", Decimal(3)), ("LATER", Decimal(5))]
