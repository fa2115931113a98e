"""What a scanned code is: a GS1 barcode, an item, a location, a lot — or nothing known.

Handheld scanners type the code followed by Enter. The answer tells the form what to
fill in. The order in which a code is tried, and why:

1. **An exact match in the tenant's data** — an item's sku, a location's code (codes are
   stored upper-case, so the code is compared upper-cased), a lot's code. Plain labels
   printed by the plant are the common case, and some of them (``10LOT7``) would also
   read as GS1 element strings; the plant's own label wins.
2. **GS1** — parsed with ``biip``: a code with a symbology identifier (``]C1``, ``]d2``,
   ``]Q3``…), the human-readable form with parentheses (``(01)…(17)…(10)…``), a bare
   GTIN-8/12/13/14, or a concatenated element string (``01…17…10…``, FNC1 as ASCII 29).
   We read the GTIN (AI 01, or 02 on a logistic unit), the lot (AI 10), the expiry
   (AI 17; day ``00`` means the last day of the month) and the serial (AI 21). A GTIN is
   matched against item **skus**: an item whose sku *is* its GTIN (any of its 8/12/13/14
   digit forms) — plantops keeps no separate GTIN field. The lot is then looked up by
   its code for that item.
3. Otherwise **unknown**.

A GS1 code that is recognisably GS1 but broken (a GTIN with a wrong check digit, an
impossible date) is refused with 422 on ``code``: the scanner user must rescan rather
than receive stock against a misread.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from biip import ParseError, parse
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item, Location
from core.errors import InvalidInput
from core.inventory.models import Lot

MAX_CODE_LENGTH = 200
#: The application identifiers the answer reads; others are listed but not used.
USED_AIS = {"01", "02", "10", "17", "21"}
SYMBOLOGY_PREFIXES = ("]C1", "]d2", "]Q3", "]e0", "]J1")


@dataclass(frozen=True)
class Gs1Element:
    ai: str
    title: str
    value: str


@dataclass(frozen=True)
class Gs1Fields:
    """What a GS1 code says, in plain fields."""

    gtin: str | None
    lot: str | None
    expiry_date: date | None
    serial: str | None
    gtin_forms: tuple[str, ...] = ()
    elements: list[Gs1Element] = field(default_factory=list)


def clean_code(code: object) -> str:
    """The scanned text without surrounding whitespace; 422 on ``code`` when unusable."""
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput("code is required", "code")
    text = code.strip()
    if len(text) > MAX_CODE_LENGTH:
        raise InvalidInput(f"code must be at most {MAX_CODE_LENGTH} characters", "code")
    if any(ord(ch) < 32 and ch != "\x1d" for ch in text):
        raise InvalidInput("code contains control characters other than FNC1 (GS)", "code")
    return text


def _forms(gtin: Gtin) -> tuple[str, ...]:
    forms = [gtin.value]
    for convert in (gtin.as_gtin_14, gtin.as_gtin_13, gtin.as_gtin_12, gtin.as_gtin_8):
        try:
            forms.append(convert())
        except Exception:  # noqa: BLE001 - a shorter form does not exist for this GTIN
            continue
    return tuple(dict.fromkeys(forms))


def _fields_of(message: GS1Message) -> Gs1Fields:
    gtin: Gtin | None = None
    lot = serial = None
    expiry: date | None = None
    elements: list[Gs1Element] = []
    for element in message.element_strings:
        ai = element.ai.ai
        elements.append(Gs1Element(ai, element.ai.data_title, element.value))
        if ai in ("01", "02"):
            if element.gtin is None:
                raise InvalidInput(element.gtin_error or f"GTIN {element.value} is not valid", "code")
            gtin = element.gtin
        elif ai == "10":
            lot = element.value
        elif ai == "17":
            expiry = element.date
        elif ai == "21":
            serial = element.value
    return Gs1Fields(gtin.value if gtin else None, lot, expiry, serial,
                     _forms(gtin) if gtin else (), elements)


def parse_gs1(code: str) -> Gs1Fields | None:
    """The GS1 content of ``code``, or None when it is not a GS1 code we use.

    Raises 422 on ``code`` when the code is clearly meant as GS1 (symbology identifier
    or parentheses) but does not parse, or when the GTIN inside an element string has a
    wrong check digit. A bare number that is no valid GTIN is simply not GS1.
    """
    explicit = code.startswith(SYMBOLOGY_PREFIXES) or code.startswith("(")
    message: GS1Message | None
    if code.startswith("("):
        try:
            message = GS1Message.parse_hri(code)
        except ParseError as exc:
            raise InvalidInput(f"not a valid GS1 code: {exc}", "code") from exc
    else:
        result = parse(code)
        if code.isdigit() and len(code) in (8, 12, 13, 14):
            # A bare GTIN (it may also read as some element string, e.g. AI 400). A bare
            # number with a wrong check digit may be someone's internal code: unknown.
            if result.gtin is None:
                return None
            return Gs1Fields(result.gtin.value, None, None, None, _forms(result.gtin))
        message = result.gs1_message
        if message is None:
            if explicit:
                raise InvalidInput(f"not a valid GS1 code: {result.gs1_message_error}", "code")
            return None
    if not any(e.ai.ai in USED_AIS for e in message.element_strings):
        if explicit:
            raise InvalidInput("the GS1 code carries no GTIN, lot, expiry or serial", "code")
        return None
    return _fields_of(message)


@dataclass(frozen=True)
class ScanItem:
    """An item the code names (a form needs its tracking to ask for a lot or serials)."""

    id: uuid.UUID
    sku: str
    name: str
    uom: str
    tracking: str


@dataclass(frozen=True)
class ScanLocation:
    id: uuid.UUID
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class ScanLot:
    id: uuid.UUID
    code: str
    item_id: uuid.UUID
    sku: str
    status: str
    expiry_date: date | None


@dataclass(frozen=True)
class ScanResult:
    """The answer to a scan. ``kind`` is gs1, item, location, lot or unknown.

    For a lot, ``item`` is the lot's item as well (a form can fill sku and lot at once).
    """

    code: str
    kind: str
    item: ScanItem | None = None
    location: ScanLocation | None = None
    lot: ScanLot | None = None
    gs1: Gs1Fields | None = None
    notes: list[str] = field(default_factory=list)


def _lots(session: Session, tenant_id: uuid.UUID, code: str, item_id: uuid.UUID | None) -> list[ScanLot]:
    conditions = [Lot.tenant_id == tenant_id, Lot.code == code]
    if item_id is not None:
        conditions.append(Lot.item_id == item_id)
    rows = session.execute(
        select(Lot.id, Lot.code, Lot.item_id, Item.sku, Lot.status, Lot.expiry_date)
        .join(Item, (Item.tenant_id == Lot.tenant_id) & (Item.id == Lot.item_id))
        .where(*conditions).order_by(Item.sku).limit(5))
    return [ScanLot(*row) for row in rows]


_ITEM = (Item.id, Item.sku, Item.name, Item.uom, Item.tracking)


def _item(session: Session, tenant_id: uuid.UUID, skus: Sequence[str]) -> ScanItem | None:
    row = session.execute(select(*_ITEM).where(
        Item.tenant_id == tenant_id, Item.sku.in_(skus)).order_by(Item.sku).limit(1)).first()
    return ScanItem(*row) if row else None


def _item_by_id(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID) -> ScanItem:
    row = session.execute(select(*_ITEM).where(Item.tenant_id == tenant_id, Item.id == item_id)).one()
    return ScanItem(*row)


def scan_code(tenant_id: uuid.UUID, code: object) -> ScanResult:
    """What ``code`` names in the tenant's data (see the module docstring for the order)."""
    text = clean_code(code)
    with db.tenant_session(tenant_id) as session:
        notes: list[str] = []
        item = _item(session, tenant_id, [text])
        locations = session.execute(select(Location.id, Location.code, Location.name, Location.kind).where(
            Location.tenant_id == tenant_id, Location.code == text.upper()).order_by(Location.id)).all()
        location = ScanLocation(*locations[0]) if locations else None
        if len(locations) > 1:
            notes.append(f"location code {text.upper()} exists in {len(locations)} plants; "
                         "the first one is shown")
        lots = _lots(session, tenant_id, text, None)
        lot = lots[0] if lots else None
        if len(lots) > 1:
            notes.append(f"lot code {text} exists for several items: "
                         f"{', '.join(x.sku for x in lots)}; the first one is shown")
        if item or location or lot:
            kind = "item" if item else "location" if location else "lot"
            if item is None and lot is not None:
                item = _item_by_id(session, tenant_id, lot.item_id)
            return ScanResult(text, kind, item, location, lot, None, notes)
        fields = parse_gs1(text)
        if fields is None:
            return ScanResult(text, "unknown", notes=["no item, location or lot has this code, "
                                                      "and it is not a GS1 barcode"])
        if fields.gtin:
            item = _item(session, tenant_id, fields.gtin_forms)
            notes.append(f"GTIN {fields.gtin} matched against item skus: "
                         + (f"item {item.sku}" if item else "no item has it as its sku"))
        if fields.lot:
            lots = _lots(session, tenant_id, fields.lot, item.id if item else None)
            if len(lots) == 1:
                lot = lots[0]
                item = item or _item_by_id(session, tenant_id, lot.item_id)
            elif len(lots) > 1:
                notes.append(f"lot {fields.lot} exists for several items; scan the item")
            else:
                notes.append(f"lot {fields.lot} is new" + (f" for {item.sku}" if item else ""))
        return ScanResult(text, "gs1", item, None, lot, fields, notes)
