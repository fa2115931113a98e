"""/api/v1/scan: what a scanned code is (GS1 barcode, item, location, lot or unknown)."""

from __future__ import annotations

from typing import Any

import msgspec

from core.auth.login import Principal
from core.inventory.scan import scan_code
from web.api.common import api_post, to_json


class ScanIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str | None = None


@api_post("/scan", status_code=200)
def scan_route(principal: Principal, data: ScanIn) -> dict[str, Any]:
    """Look a scanned code up. GS1 element strings give GTIN (matched against item skus),
    lot (AI 10), expiry (AI 17) and serial (AI 21); plain codes are matched against item
    skus, location codes and lot codes, in that order. Answers ``kind`` and the matches."""
    return to_json(scan_code(principal.tenant_id, data.code))


handlers = [scan_route]
