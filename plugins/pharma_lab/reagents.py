"""Reagents: a profile per item (hazard classes, storage condition, in-use days after
opening, minimum and maximum stock) and, per lot, the opened date and the in-use expiry.

In-use expiry: once a lot is opened it may be used for ``in_use_days`` days, and never
past its own expiry date, whichever comes first. Past it, the lot cannot be issued (the
``before_post_move`` hook refuses, naming lot and date), is left out of automatic lot
allocation and is not supply in MRP.

Usable stock (what the minimum and maximum compare with): lots that are available, not
expired and not past their in-use expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core import db
from core.catalog.models import Item
from core.errors import Conflict, InvalidInput, NotFound
from core.inventory.lots import find_lot
from core.inventory.models import Lot, StockBalance
from core.inventory.move_input import amount
from core.inventory.refs import find_stock_item
from plugins.pharma_lab.models import LotRecord, ReagentProfile

#: GHS hazard pictogram codes and what each means.
HAZARD_CLASSES = {
    "GHS01": "Explosive", "GHS02": "Flammable", "GHS03": "Oxidising", "GHS04": "Compressed gas",
    "GHS05": "Corrosive", "GHS06": "Acute toxicity", "GHS07": "Harmful / irritant",
    "GHS08": "Health hazard", "GHS09": "Hazardous to the environment",
}
STORAGE_CONDITIONS = {
    "ambient": "Room temperature 15–25 °C", "refrigerated": "Refrigerated 2–8 °C",
    "frozen": "Frozen −20 °C", "deep_frozen": "Deep frozen −80 °C",
    "flammables_cabinet": "Flammables cabinet", "corrosives_cabinet": "Corrosives cabinet",
    "desiccator": "Desiccator (dry)", "dark": "Protected from light",
}
MAX_IN_USE_DAYS = 3650


def in_use_expiry(expiry_date: date | None, opened_on: date | None, in_use_days: int | None) -> date | None:
    """The last day an opened lot may be used: opened + N days, or its expiry if earlier."""
    if opened_on is None or in_use_days is None:
        return expiry_date
    after_opening = opened_on + timedelta(days=in_use_days)
    return min(after_opening, expiry_date) if expiry_date else after_opening


@dataclass(frozen=True)
class ReagentView:
    item_id: uuid.UUID
    sku: str
    name: str
    hazard_classes: list[str]
    storage_condition: str
    in_use_days: int | None
    min_stock: Decimal | None
    max_stock: Decimal | None
    usable_stock: Decimal
    #: ``below_min``, ``above_max`` or ``ok``.
    stock_status: str


def _stock_status(usable: Decimal, low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and usable < low:
        return "below_min"
    if high is not None and usable > high:
        return "above_max"
    return "ok"


def usable_stock(session: Session, tenant_id: uuid.UUID, today: date) -> dict[uuid.UUID, Decimal]:
    """Usable quantity per item with a reagent profile (available, unexpired, in use)."""
    rows = session.execute(
        select(StockBalance.item_id, StockBalance.quantity, Lot.expiry_date, LotRecord.opened_on,
               ReagentProfile.in_use_days, Lot.status)
        .join(ReagentProfile, and_(ReagentProfile.tenant_id == StockBalance.tenant_id,
                                   ReagentProfile.item_id == StockBalance.item_id))
        .outerjoin(Lot, and_(Lot.tenant_id == StockBalance.tenant_id, Lot.id == StockBalance.lot_id))
        .outerjoin(LotRecord, and_(LotRecord.tenant_id == StockBalance.tenant_id,
                                   LotRecord.lot_id == StockBalance.lot_id))
        .where(StockBalance.tenant_id == tenant_id, StockBalance.quantity > 0))
    found: dict[uuid.UUID, Decimal] = {}
    for item_id, quantity, expiry, opened, days, status in rows:
        last_day = in_use_expiry(expiry, opened, days)
        if (status or "available") == "available" and (last_day is None or last_day >= today):
            found[item_id] = found.get(item_id, Decimal(0)) + quantity
    return found


def _views(session: Session, tenant_id: uuid.UUID, conditions: list[Any]) -> list[ReagentView]:
    stock = usable_stock(session, tenant_id, date.today())
    rows = session.execute(
        select(ReagentProfile, Item.sku, Item.name)
        .join(Item, (Item.tenant_id == ReagentProfile.tenant_id) & (Item.id == ReagentProfile.item_id))
        .where(ReagentProfile.tenant_id == tenant_id, *conditions).order_by(Item.sku))
    views = []
    for p, sku, name in rows:
        usable = stock.get(p.item_id, Decimal(0))
        views.append(ReagentView(p.item_id, sku, name, list(p.hazard_classes or []), p.storage_condition,
                                 p.in_use_days, p.min_stock, p.max_stock, usable,
                                 _stock_status(usable, p.min_stock, p.max_stock)))
    return views


def list_reagents(tenant_id: uuid.UUID) -> list[ReagentView]:
    """Every reagent profile with its usable stock against its minimum and maximum."""
    with db.tenant_session(tenant_id) as session:
        return _views(session, tenant_id, [])


def get_reagent(tenant_id: uuid.UUID, ref: str) -> ReagentView:
    """One item's reagent profile (404 when the item has none)."""
    with db.tenant_session(tenant_id) as session:
        item = find_stock_item(session, tenant_id, ref, "sku", NotFound)
        found = _views(session, tenant_id, [ReagentProfile.item_id == item.id])
        if not found:
            raise NotFound(f"item {item.sku} has no reagent profile", "sku")
        return found[0]


def _hazards(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("hazard_classes must be a list of GHS codes", "hazard_classes")
    codes = sorted({v.strip().upper() for v in value})
    unknown = [c for c in codes if c not in HAZARD_CLASSES]
    if unknown:
        raise InvalidInput(f"unknown hazard class {unknown[0]!r}: use GHS01 … GHS09", "hazard_classes")
    return codes


def _profile_fields(raw: dict[str, Any]) -> dict[str, Any]:
    storage = raw.get("storage_condition")
    if storage not in STORAGE_CONDITIONS:
        raise InvalidInput(f"storage_condition must be one of: {', '.join(STORAGE_CONDITIONS)}",
                           "storage_condition")
    days = raw.get("in_use_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)
                             or not 1 <= days <= MAX_IN_USE_DAYS):
        raise InvalidInput(f"in_use_days must be a whole number from 1 to {MAX_IN_USE_DAYS}", "in_use_days")
    low = amount(raw["min_stock"], "min_stock", positive=False) if raw.get("min_stock") is not None else None
    high = amount(raw["max_stock"], "max_stock", positive=False) if raw.get("max_stock") is not None else None
    if low is not None and high is not None and low > high:
        raise InvalidInput("max_stock must not be below min_stock", "max_stock")
    return {"hazard_classes": _hazards(raw.get("hazard_classes")), "storage_condition": storage,
            "in_use_days": days, "min_stock": low, "max_stock": high}


def save_reagent(tenant_id: uuid.UUID, ref: str, raw: dict[str, Any], user_id: uuid.UUID | None) -> ReagentView:
    """Create or replace an item's reagent profile (the item must be lot-tracked)."""
    fields = _profile_fields(raw)
    with db.tenant_session(tenant_id, user_id) as session:
        item = find_stock_item(session, tenant_id, ref, "sku", NotFound)
        if item.tracking != "lot":
            raise InvalidInput(f"item {item.sku} is not lot-tracked: a reagent needs lots "
                               "(certificate of analysis, opened date)", "sku")
        profile = session.get(ReagentProfile, (tenant_id, item.id))
        if profile is None:
            profile = ReagentProfile(tenant_id=tenant_id, item_id=item.id)
            session.add(profile)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.updated_by, profile.updated_at = user_id, func.now()
        session.flush()
        return _views(session, tenant_id, [ReagentProfile.item_id == item.id])[0]


# ---------------------------------------------------------------- per lot


@dataclass(frozen=True)
class CoaView:
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime | None
    uploaded_by: uuid.UUID | None


@dataclass(frozen=True)
class LotReagentView:
    lot_id: uuid.UUID
    code: str
    sku: str
    status: str
    expiry_date: date | None
    opened_on: date | None
    in_use_days: int | None
    in_use_expiry: date | None
    in_use_expired: bool
    coa: CoaView | None


def lot_record(session: Session, tenant_id: uuid.UUID, lot: Lot, create: bool = False) -> LotRecord | None:
    """The lot's record (locked), created when ``create``."""
    record = session.get(LotRecord, (tenant_id, lot.id), with_for_update=True)
    if record is None and create:
        record = LotRecord(tenant_id=tenant_id, lot_id=lot.id, item_id=lot.item_id)
        session.add(record)
    return record


def lot_view(session: Session, tenant_id: uuid.UUID, lot: Lot) -> LotReagentView:
    """What the lab knows of one lot: opened date, in-use expiry, certificate of analysis."""
    sku = session.scalar(select(Item.sku).where(Item.tenant_id == tenant_id, Item.id == lot.item_id)) or ""
    days = session.scalar(select(ReagentProfile.in_use_days).where(
        ReagentProfile.tenant_id == tenant_id, ReagentProfile.item_id == lot.item_id))
    record = session.get(LotRecord, (tenant_id, lot.id))
    opened = record.opened_on if record else None
    last_day = in_use_expiry(lot.expiry_date, opened, days)
    coa = None
    if record is not None and record.coa_filename:
        coa = CoaView(record.coa_filename, record.coa_content_type or "", record.coa_size or 0,
                      record.coa_sha256 or "", record.coa_uploaded_at, record.coa_uploaded_by)
    return LotReagentView(lot.id, lot.code, sku, lot.status, lot.expiry_date, opened, days, last_day,
                          last_day is not None and last_day < date.today(), coa)


def get_lot_reagent(tenant_id: uuid.UUID, code: str, sku: str | None = None) -> LotReagentView:
    """One lot's lab data (404 for an unknown lot)."""
    with db.tenant_session(tenant_id) as session:
        return lot_view(session, tenant_id, find_lot(session, tenant_id, code, sku))


def open_lot(tenant_id: uuid.UUID, code: str, opened_on: date | None, user_id: uuid.UUID | None,
             sku: str | None = None) -> LotReagentView:
    """Record the day a lot was opened (default today): its in-use period starts then.

    422 for a day in the future or before the lot was received; 409 when it was already
    opened or was rejected by QC.
    """
    day = opened_on or date.today()
    if day > date.today():
        raise InvalidInput("opened_on cannot be in the future", "opened_on")
    with db.tenant_session(tenant_id, user_id) as session:
        lot = find_lot(session, tenant_id, code, sku)
        if lot.status == "rejected":
            raise Conflict(f"lot {lot.code!r} was rejected by QC: it is not to be opened", "code")
        if day < lot.received_at.date():
            raise InvalidInput(f"opened_on cannot be before the lot was received "
                               f"({lot.received_at.date()})", "opened_on")
        record = lot_record(session, tenant_id, lot, create=True)
        assert record is not None
        if record.opened_on is not None:
            raise Conflict(f"lot {lot.code!r} was already opened on {record.opened_on}", "code")
        record.opened_on, record.opened_by = day, user_id
        session.flush()
        return lot_view(session, tenant_id, lot)


def in_use_refusal(session: Session, tenant_id: uuid.UUID, item_id: uuid.UUID, lot_id: uuid.UUID,
                   code: str, expiry_date: date | None, today: date) -> str | None:
    """Why an opened lot past its in-use expiry cannot be issued, or None."""
    row = session.execute(
        select(LotRecord.opened_on, ReagentProfile.in_use_days)
        .join(ReagentProfile, and_(ReagentProfile.tenant_id == LotRecord.tenant_id,
                                   ReagentProfile.item_id == LotRecord.item_id))
        .where(LotRecord.tenant_id == tenant_id, LotRecord.lot_id == lot_id, LotRecord.item_id == item_id)).first()
    if row is None or row.opened_on is None or row.in_use_days is None:
        return None
    last_day = in_use_expiry(expiry_date, row.opened_on, row.in_use_days)
    if last_day is not None and last_day < today:
        return (f"lot {code!r} was opened on {row.opened_on} and could be used until {last_day} "
                f"({row.in_use_days} days after opening or its expiry, whichever is earlier): it cannot be issued")
    return None


def in_use_expired_lots(session: Session, tenant_id: uuid.UUID, today: date) -> dict[uuid.UUID, date]:
    """Every opened lot past its in-use expiry, with that day."""
    rows = session.execute(
        select(LotRecord.lot_id, Lot.expiry_date, LotRecord.opened_on, ReagentProfile.in_use_days)
        .join(Lot, and_(Lot.tenant_id == LotRecord.tenant_id, Lot.id == LotRecord.lot_id))
        .join(ReagentProfile, and_(ReagentProfile.tenant_id == LotRecord.tenant_id,
                                   ReagentProfile.item_id == LotRecord.item_id))
        .where(LotRecord.tenant_id == tenant_id, LotRecord.opened_on.is_not(None),
               ReagentProfile.in_use_days.is_not(None)))
    found = {}
    for lot_id, expiry, opened, days in rows:
        last_day = in_use_expiry(expiry, opened, days)
        if last_day is not None and last_day < today:
            found[lot_id] = last_day
    return found
