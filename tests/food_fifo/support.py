"""Set-up shared by the food plugin's tests: a dairy with a cold store and a line."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.inventory.ledger_support import created, move, post_move
from tests.support import TenantHandle

__all__ = ["created", "days", "enable_food", "move", "post_move", "receive", "setup_dairy"]


def days(n: int) -> str:
    """The ISO date ``n`` days from today (negative: in the past)."""
    return (date.today() + timedelta(days=n)).isoformat()


def enable_food(tenant: TenantHandle) -> None:
    answer = tenant.post("/api/v1/plugins/food_fifo/enable")
    assert answer.status_code == 200, answer.text


def setup_dairy(tenant: TenantHandle, food: bool = True) -> dict[str, Any]:
    """Locations COLD and LINE, items MILK (lot, 10 days shelf life), CULTURE (lot) and
    YOG (lot, made of 0.9 MILK + 0.01 CULTURE), BOTTLE (not tracked)."""
    if food:
        enable_food(tenant)
    places = {code: created(tenant.post("/api/v1/locations", json={"code": code, "name": code, "kind": "warehouse"}))
              for code in ("COLD", "LINE", "FG")}
    items: list[dict[str, Any]] = [
             {"sku": "MILK", "tracking": "lot", "shelf_life_days": 10, "standard_cost": "0.8", "kind": "buy",
              "lead_time_days": 2},
             {"sku": "CULTURE", "tracking": "lot", "standard_cost": "20", "kind": "buy"},
             {"sku": "YOG", "tracking": "lot", "shelf_life_days": 21, "standard_cost": "1.5", "kind": "make",
              "lead_time_days": 1},
             {"sku": "BOTTLE", "standard_cost": "0.1"}]
    for item in items:
        created(tenant.post("/api/v1/items", json={"name": f"Item {item['sku']}", **item}))
    bom = tenant.request("PUT", "/api/v1/items/YOG/bom", json={"lines": [
        {"sku": "MILK", "quantity": "0.9"}, {"sku": "CULTURE", "quantity": "0.01"}]})
    assert bom.status_code == 200, bom.text
    return places


def receive(tenant: TenantHandle, sku: str, lot: str, quantity: str, expiry: str | None,
            location: str = "COLD") -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "receipt", "sku": sku, "quantity": quantity, "to_location": location,
                            "lot": lot}
    if expiry is not None:
        body["expiry_date"] = expiry
    return move(tenant, **body)
