"""Stock pages: stock by location (a tree), an item's stock with its balance chart, moves
with filters, scanner-friendly receive / issue / transfer forms, lots and their trace.

Pages post through the same services as the API (``post_stock_move``) and carry CSRF
tokens. The move forms are built for a handheld scanner in keyboard mode: the code field
has the focus, the scanner's Enter sends it to ``/app/moves/{kind}/scan`` (htmx), which
fills sku, lot, expiry and location from what the code is and puts the focus where the
next keystrokes belong; Enter in the quantity posts the move.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import anyio
from litestar import Request
from litestar.response import Response, Template

from core.auth.login import Principal
from core.catalog import items, locations
from core.errors import DomainError, InvalidInput, NotFound
from core.inventory.history import item_history
from core.inventory.lots import list_lots, trace_lot
from core.inventory.move_queries import MoveFilter, list_moves
from core.inventory.move_types import MoveRequest
from core.inventory.posting import post_stock_move
from core.inventory.scan import ScanResult, scan_code
from core.inventory.stock import stock_report
from core.tenancy.plants import list_plants
from core.tenancy.roles import INVENTORY_WRITERS
from web.api.common import to_json
from web.api.inventory_common import instant
from web.auth import roles
from web.pages.common import form_data, form_post, page_get, render

WRITERS = [roles(INVENTORY_WRITERS)]
FORM_KINDS = {"receipt": "Receive", "issue": "Issue", "transfer": "Transfer"}
MOVE_FIELDS = ("sku", "quantity", "from_location", "to_location", "lot", "expiry_date", "supplier_lot",
               "unit_cost", "reason", "serials")
CHART_POINTS = 1000


# ---------------------------------------------------------------- stock by location


def _stock_tree(principal: Principal, sku: str | None) -> dict[str, Any]:
    tid = principal.tenant_id
    error = None
    try:
        report = stock_report(tid, sku=sku or None, limit=5000)
        rows = report.items
    except NotFound as exc:
        rows, error = [], exc.message
    locs, _ = locations.list_locations(tid, limit=100000)
    children: dict[Any, list[Any]] = {}
    for loc in locs:
        children.setdefault(loc.parent_id, []).append(loc)
    here: dict[Any, list[Any]] = {}
    for row in rows:
        here.setdefault(row.location_id, []).append(row)
    parent = {loc.id: loc.parent_id for loc in locs}
    # A node "has stock" when it or anything below it holds some: filtered trees show those only.
    stocked: set[Any] = set()
    for location_id in here:
        node = location_id
        while node is not None and node not in stocked:
            stocked.add(node)
            node = parent.get(node)
    return {"plants": list_plants(tid), "children": children, "here": here, "stocked": stocked,
            "sku": sku or "", "rows": len(rows), "error": error, "active": "stock"}


@page_get("/app/stock")
def stock_page(principal: Principal, sku: str | None = None) -> Template:
    """Every location of every plant as a tree, with the items and lots held at each node."""
    return render("inventory/stock.html", principal, **_stock_tree(principal, sku))


def _chart(tenant_id: uuid.UUID, ref: str) -> tuple[dict[str, Any], int]:
    """Labels and balances of the item's whole stock after each move (the last 1000)."""
    total = item_history(tenant_id, ref, limit=1).total
    history = item_history(tenant_id, ref, limit=CHART_POINTS, offset=max(0, total - CHART_POINTS))
    labels = [line.move.posted_at.strftime("%Y-%m-%d %H:%M:%S") for line in history.lines]
    values = [float(line.balance) for line in history.lines]  # for drawing only
    return {"labels": labels, "values": values}, total


@page_get("/app/stock/items/{ref:str}")
def item_stock_page(principal: Principal, ref: str) -> Template:
    """An item's stock per location and lot, its balance over time and its latest moves."""
    item = items.get_item(principal.tenant_id, ref)
    report = stock_report(principal.tenant_id, sku=item.sku, limit=1000)
    chart, total = _chart(principal.tenant_id, item.sku)
    moves, _ = list_moves(principal.tenant_id, MoveFilter(sku=item.sku), 20, 0)
    return render("inventory/item_stock.html", principal, active="stock", item=item, report=report,
                  chart_json=json.dumps(chart), move_total=total, moves=moves)


# ---------------------------------------------------------------- moves


def _moves_context(principal: Principal, params: dict[str, str], offset: int) -> dict[str, Any]:
    error = None
    rows: list[Any] = []
    total = 0
    try:
        filters = MoveFilter(
            sku=params.get("sku") or None, location=params.get("location") or None,
            lot=params.get("lot") or None, kind=params.get("kind") or None,
            posted_from=instant(params.get("from") or None, "from"),
            posted_to=instant(params.get("to") or None, "to", end_of_day=True),
        )
        rows, total = list_moves(principal.tenant_id, filters, 50, max(0, offset))
    except DomainError as exc:
        error = exc.message
    query = {"date_from" if k == "from" else "date_to" if k == "to" else k: v for k, v in params.items()}
    return {"moves": rows, "total": total, "offset": max(0, offset), "limit": 50, "f": params,
            "qs": urlencode(query),
            "error": error, "active": "moves", "can_write": principal.role in INVENTORY_WRITERS}


def _filters(sku: str | None, location: str | None, lot: str | None, kind: str | None,
             start: str | None, end: str | None) -> dict[str, str]:
    return {k: v for k, v in {"sku": sku, "location": location, "lot": lot, "kind": kind,
                              "from": start, "to": end}.items() if v}


@page_get("/app/moves")
def moves_page(principal: Principal, sku: str | None = None, location: str | None = None,
               lot: str | None = None, kind: str | None = None, date_from: str | None = None,
               date_to: str | None = None, offset: int = 0) -> Template:
    """The ledger, newest first, filtered by item, location (with children), lot, kind, dates."""
    params = _filters(sku, location, lot, kind, date_from, date_to)
    return render("inventory/moves.html", principal, **_moves_context(principal, params, offset))


@page_get("/app/moves/table")
def moves_table(principal: Principal, sku: str | None = None, location: str | None = None,
                lot: str | None = None, kind: str | None = None, date_from: str | None = None,
                date_to: str | None = None, offset: int = 0) -> Template:
    """The htmx fragment behind the filters."""
    params = _filters(sku, location, lot, kind, date_from, date_to)
    return render("inventory/moves_table.html", principal, **_moves_context(principal, params, offset))


# ---------------------------------------------------------------- scanner forms


def _kind(kind: str) -> str:
    if kind not in FORM_KINDS:
        raise NotFound(f"no move form {kind!r}", "kind")
    return kind


def _move_form(principal: Principal, kind: str, form: dict[str, Any], status_code: int = 200,
               **extra: Any) -> Template:
    codes, _ = locations.list_locations(principal.tenant_id, limit=100000)
    return render("inventory/move_form.html", principal, status_code=status_code, active="moves", kind=kind,
                  title=FORM_KINDS[kind], kinds=FORM_KINDS, form=form, location_codes=[c.code for c in codes],
                  key=uuid.uuid4().hex, **extra)


@page_get("/app/moves/new/{kind:str}", guards=WRITERS)
def move_form_page(principal: Principal, kind: str) -> Template:
    """A receive, issue or transfer form made for a handheld scanner."""
    return _move_form(principal, _kind(kind), {})


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    try:
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput(f"{field} must be a number, got {value!r}", field) from exc


def _date(value: str | None, field: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{field} must be a date (YYYY-MM-DD)", field) from exc


def request_of_form(kind: str, form: dict[str, str]) -> MoveRequest:
    """A move request from a page form (every value checked again by the ledger)."""
    quantity = _decimal(form.get("quantity"), "quantity")
    if quantity is None:
        raise InvalidInput("quantity is required", "quantity")
    serials = tuple(s for s in form.get("serials", "").replace(",", " ").split() if s)
    return MoveRequest(
        kind=kind, sku=form.get("sku", ""), quantity=quantity,
        idempotency_key=form.get("idempotency_key") or uuid.uuid4().hex,
        from_location=form.get("from_location") or None if kind != "receipt" else None,
        to_location=form.get("to_location") or None if kind != "issue" else None,
        lot=form.get("lot") or None,
        expiry_date=_date(form.get("expiry_date"), "expiry_date") if kind == "receipt" else None,
        supplier_lot=(form.get("supplier_lot") or None) if kind == "receipt" else None,
        serials=serials, unit_cost=_decimal(form.get("unit_cost"), "unit_cost") if kind == "receipt" else None,
        reason=form.get("reason") or None,
    )


@form_post("/app/moves/new/{kind:str}", guards=WRITERS)
async def move_form_submit(principal: Principal, kind: str, request: Request[Any, Any, Any]) -> Template:
    """Post the move; on success an empty form (focus back on the code field) and a note."""
    kind = _kind(kind)
    form = await form_data(request)
    try:
        move_request = request_of_form(kind, form)
        posted = await anyio.to_thread.run_sync(post_stock_move, principal.tenant_id, move_request,
                                                principal.user_id)
    except DomainError as exc:
        return _move_form(principal, kind, form, exc.status, error=exc.message, field=exc.field)
    move = posted.move
    where = move.to_location_code if kind == "receipt" else move.from_location_code
    if kind == "transfer":
        where = f"{move.from_location_code} → {move.to_location_code}"
    lots = ", ".join(sorted({m.lot_code for m in posted.moves if m.lot_code}))
    done = (f"{FORM_KINDS[kind]}: {sum((m.quantity for m in posted.moves), Decimal(0)).normalize():f} "
            f"{move.sku}{' lot ' + lots if lots else ''} at {where}"
            f"{'' if posted.created else ' (already posted: nothing new)'}")
    # Keep the locations: a storekeeper usually posts several moves at the same place.
    kept = {k: form.get(k, "") for k in ("from_location", "to_location")}
    return _move_form(principal, kind, kept, flash=done, last_sku=move.sku)


def _merge_scan(kind: str, form: dict[str, str], found: ScanResult) -> dict[str, str]:
    """The form's values with what the scan says put in the right fields."""
    merged = {k: form.get(k, "") for k in MOVE_FIELDS}
    if found.item is not None:
        merged["sku"] = found.item.sku
    if found.lot is not None:
        merged["lot"] = found.lot.code
        if kind == "receipt" and found.lot.expiry_date:
            merged["expiry_date"] = found.lot.expiry_date.isoformat()
    if found.gs1 is not None:
        if found.gs1.lot:
            merged["lot"] = found.gs1.lot
        if found.gs1.expiry_date and kind == "receipt":
            merged["expiry_date"] = found.gs1.expiry_date.isoformat()
        if found.gs1.serial:
            serials = merged["serials"].split()
            if found.gs1.serial not in serials:
                serials.append(found.gs1.serial)
            merged["serials"] = " ".join(serials)
            merged["quantity"] = str(len(serials))
    if found.kind == "location" and found.location is not None:
        code = found.location.code
        if kind == "receipt":
            merged["to_location"] = code
        elif kind == "issue":
            merged["from_location"] = code
        elif not merged["from_location"]:
            merged["from_location"] = code
        else:
            merged["to_location"] = code
    return merged


def _next_field(kind: str, form: dict[str, str], tracking: str | None) -> str:
    """Where the next keystrokes go: the first thing still missing, else the quantity."""
    needed = ["to_location"] if kind == "receipt" else ["from_location"]
    if kind == "transfer":
        needed = ["from_location", "to_location"]
    if not form.get("sku") or any(not form.get(f) for f in needed) or (tracking == "lot" and not form.get("lot")):
        return "code"
    return "quantity"


@form_post("/app/moves/new/{kind:str}/scan", guards=WRITERS)
async def move_form_scan(principal: Principal, kind: str, request: Request[Any, Any, Any]) -> Template:
    """htmx: the form's fields refilled from a scanned code, with a note of what it was."""
    kind = _kind(kind)
    form = await form_data(request)
    code = form.get("code", "")
    try:
        found = await anyio.to_thread.run_sync(scan_code, principal.tenant_id, code)
    except DomainError as exc:
        return render("inventory/move_fields.html", principal, kind=kind, form=form, scan_error=exc.message,
                      focus="code")
    merged = _merge_scan(kind, form, found)
    tracking = found.item.tracking if found.item else None
    return render("inventory/move_fields.html", principal, kind=kind, form=merged, scanned=found,
                  focus=_next_field(kind, merged, tracking))


@form_post("/app/scan")
async def scan_json(principal: Principal, request: Request[Any, Any, Any]) -> Response[Any]:
    """What a scanned code is, as JSON, for scripts on pages (the count entry page)."""
    form = await form_data(request)
    try:
        found = await anyio.to_thread.run_sync(scan_code, principal.tenant_id, form.get("code", ""))
    except DomainError as exc:
        return Response({"detail": exc.message, "field": exc.field}, status_code=exc.status)
    return Response(to_json(found))


# ---------------------------------------------------------------- lots


@page_get("/app/lots")
def lots_page(principal: Principal, sku: str | None = None, status: str | None = None,
              offset: int = 0) -> Template:
    """Lots with their status, expiry and quantity on hand."""
    error = None
    try:
        rows, total = list_lots(principal.tenant_id, sku or None, status or None, 100, max(0, offset))
    except DomainError as exc:
        rows, total, error = [], 0, exc.message
    return render("inventory/lots.html", principal, active="stock", lots=rows, total=total, sku=sku or "",
                  status=status or "", offset=max(0, offset), error=error, today=date.today())


@page_get("/app/lots/{lot_id:uuid}")
def lot_trace_page(principal: Principal, lot_id: uuid.UUID) -> Template:
    """A lot and every move of it, oldest first: where it came from and where it went."""
    trace = trace_lot(principal.tenant_id, str(lot_id))
    return render("inventory/lot_trace.html", principal, active="stock", trace=trace, today=date.today())


handlers = [
    stock_page, item_stock_page, moves_page, moves_table, move_form_page, move_form_submit, move_form_scan,
    scan_json, lots_page, lot_trace_page,
]
