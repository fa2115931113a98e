"""CSV import and export of items.

One row per item; lot-sizing parameters are flattened into ``lot_sizing_<name>`` columns
so that a spreadsheet user never edits JSON. Rows are numbered as a spreadsheet shows
them: the header is row 1, the first item is row 2.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.catalog.item_input import ITEM_FIELDS
from core.catalog.items import ItemView, add_item, all_items, change_item
from core.catalog.lot_sizing import MODIFIERS, RULE_PARAMETERS
from core.catalog.models import Item
from core.errors import DomainError, InvalidInput

LOT_PARAMS = sorted({p for ps in RULE_PARAMETERS.values() for p in ps} | set(MODIFIERS))
COLUMNS = [f for f in ITEM_FIELDS if f != "lot_sizing"] + ["lot_sizing_rule"] + [
    f"lot_sizing_{p}" for p in LOT_PARAMS
]
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass
class ImportResult:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted_count": len(self.accepted), "rejected_count": len(self.rejected),
            "accepted": self.accepted, "rejected": self.rejected,
        }


def _row_of(item: ItemView) -> dict[str, Any]:
    row: dict[str, Any] = {f: getattr(item, f) for f in ITEM_FIELDS if f != "lot_sizing"}
    row["allow_negative_stock"] = "true" if item.allow_negative_stock else "false"
    row["lot_sizing_rule"] = item.lot_sizing.get("rule", "lot_for_lot")
    for p in LOT_PARAMS:
        value = item.lot_sizing.get(p)
        row[f"lot_sizing_{p}"] = ";".join(map(str, value)) if isinstance(value, list) else value
    return row


def export_items_csv(tenant_id: uuid.UUID) -> str:
    """Every item of the tenant as CSV text with the import's columns."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in all_items(tenant_id):
        writer.writerow(_row_of(item))
    return out.getvalue()


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV text into numbered rows; 422 naming an unknown or missing column."""
    if len(text.encode()) > MAX_IMPORT_BYTES:
        raise InvalidInput("file is larger than 20 MB", "file")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise InvalidInput("the file is empty: expected a header row", "file")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r}", unknown[0])
    if "sku" not in header:
        raise InvalidInput("the header has no sku column", "sku")
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            rows.append((number, {"__error__": "row has more cells than the header"}))
            continue
        rows.append((number, {k: (v or "").strip() for k, v in raw.items()}))
    return rows


def _fields_of(cells: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {
        k: v for k, v in cells.items() if k in ITEM_FIELDS and (v != "" or k == "shelf_life_days")
    }
    rule = cells.get("lot_sizing_rule", "")
    params = {p: cells.get(f"lot_sizing_{p}", "") for p in LOT_PARAMS}
    if rule or any(params.values()):
        lot: dict[str, Any] = {"rule": rule or "lot_for_lot"}
        for name, value in params.items():
            if value:
                lot[name] = value.split(";") if ";" in value else value
        raw["lot_sizing"] = lot
    return raw


def _import_row(session: Session, tenant_id: uuid.UUID, cells: dict[str, str]) -> tuple[str, str]:
    if "__error__" in cells:
        raise InvalidInput(cells["__error__"], "row")
    raw = _fields_of(cells)
    sku = raw.get("sku", "")
    existing = session.scalars(
        select(Item).where(Item.tenant_id == tenant_id, Item.sku == sku)
    ).one_or_none() if sku else None
    with session.begin_nested():
        if existing is None:
            return add_item(session, tenant_id, raw).sku, "created"
        raw.pop("sku")
        return change_item(session, existing, raw).sku, "updated"


def import_items(
    tenant_id: uuid.UUID, text: str, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Create or update items by sku, one savepoint per row.

    A bad row is rejected with its row number, field and message and changes nothing;
    the good rows are saved. ``progress`` receives a percentage now and then.
    """
    rows = read_rows(text)
    result = ImportResult()
    with db.tenant_session(tenant_id) as session:
        for index, (number, cells) in enumerate(rows):
            try:
                sku, action = _import_row(session, tenant_id, cells)
                result.accepted.append({"row": number, "sku": sku, "action": action})
            except DomainError as exc:
                result.rejected.append(
                    {"row": number, "field": exc.field, "message": exc.message}
                )
            if progress and index % 200 == 199:
                progress(min(99, int(100 * (index + 1) / len(rows))))
    return result
