"""Shared set-up for planning tests: items, BOMs and dates in week buckets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.support import TenantHandle


def monday(weeks_ahead: int = 0) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def in_period(period: int) -> str:
    """A due date inside week bucket ``period`` (1 = this week): its Wednesday."""
    return (monday(period - 1) + timedelta(days=2)).isoformat()


def make_item(tenant: TenantHandle, sku: str, **fields: Any) -> dict[str, Any]:
    answer = tenant.post("/api/v1/items", json={"sku": sku, "name": sku.title(), **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def set_bom(tenant: TenantHandle, parent: str, lines: list[dict[str, Any]]) -> None:
    answer = tenant.request("PUT", f"/api/v1/items/{parent}/bom", json={"lines": lines})
    assert answer.status_code == 200, answer.text


def order(tenant: TenantHandle, number: str, lines: list[tuple[str, Any, int]]) -> dict[str, Any]:
    answer = tenant.post("/api/v1/demands", json={
        "number": number, "customer": "ACME",
        "lines": [{"sku": s, "quantity": q, "due_date": in_period(p)} for s, q, p in lines]})
    assert answer.status_code == 201, answer.text
    return answer.json()
