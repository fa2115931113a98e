"""Cycle-count pages: list and create, blind entry on a handheld-friendly page, review of
the variances and posting (approval), cancel.

The entry page is blind: it is rendered from :func:`core.inventory.counts.get_count`, which
carries no book quantity at all, so nothing in the HTML can give one away. Only the review
page (owner, admin, planner) shows expected and book quantities.
"""

from __future__ import annotations

import re
import uuid
from functools import partial
from typing import Any

import anyio
from litestar import Request
from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.catalog import locations
from core.errors import DomainError
from core.inventory import count_variances, counts
from web.auth import roles
from web.pages.common import form_data, form_post, page_get, render

COUNTERS = [roles(counts.COUNTERS)]
APPROVERS = [roles(counts.APPROVERS)]
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def _list_context(principal: Principal, status: str | None) -> dict[str, Any]:
    rows, total = counts.list_counts(principal.tenant_id, status or None, 100, 0)
    locs, _ = locations.list_locations(principal.tenant_id, limit=100000)
    return {"counts": rows, "total": total, "status": status or "", "locations": locs, "active": "counts",
            "can_count": principal.role in counts.COUNTERS}


@page_get("/app/counts")
def counts_page(principal: Principal, status: str | None = None) -> Template:
    """Counts, newest first, and the form to open one."""
    return render("inventory/counts.html", principal, form={}, **_list_context(principal, status))


@form_post("/app/counts", guards=COUNTERS)
async def create_count_submit(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    raw = {k: v for k, v in form.items() if k in ("location", "abc_class", "note") and v.strip()}
    try:
        created = await anyio.to_thread.run_sync(counts.create_count, principal.tenant_id, raw, principal.user_id)
    except DomainError as exc:
        context = await anyio.to_thread.run_sync(_list_context, principal, None)
        return render("inventory/counts.html", principal, status_code=exc.status, form=form, error=exc.message,
                      field=exc.field, **context)
    return Redirect(path=f"/app/counts/{created.id}", status_code=303)


def _count_page(principal: Principal, count_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Template:
    count = counts.get_count(principal.tenant_id, count_id)
    return render("inventory/count.html", principal, status_code=status_code, active="counts", count=count,
                  can_count=principal.role in counts.COUNTERS, can_approve=principal.role in counts.APPROVERS,
                  **extra)


@page_get("/app/counts/{count_id:uuid}")
def count_page(principal: Principal, count_id: uuid.UUID) -> Template:
    """The count; while open, the blind entry form (no expected quantities anywhere)."""
    return _count_page(principal, count_id)


def _serials(value: str) -> list[str]:
    """One serial per line of a field (the scanner list, or the found serials typed)."""
    return [serial.strip() for serial in value.splitlines() if serial.strip()]


def _found_entry(form: dict[str, str]) -> dict[str, Any] | None:
    qty, serials = form.get("found_qty", "").strip(), _serials(form.get("found_serials", ""))
    if not (form.get("found_sku", "").strip() or qty or serials):
        return None
    found: dict[str, Any] = {"sku": form.get("found_sku", ""), "location": form.get("found_location", ""),
                             "lot": form.get("found_lot", "") or None, "counted": qty or None}
    if serials:
        found["serials"] = serials
    elif not qty:
        found["counted"] = ""  # asks for a quantity, naming the field
    return found


def _entries(form: dict[str, str]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {"line_id": key[2:], "counted": value.strip().replace(",", ".")}
        for key, value in form.items() if key.startswith("c_") and value.strip()
    ]
    # A serial line's list is sent once the counter changed it; empty means none found there.
    entries += [{"line_id": key[2:], "serials": _serials(value)} for key, value in form.items()
                if key.startswith("s_")]
    found = _found_entry(form)
    if found is not None:
        entries.append(found)
    return entries


@form_post("/app/counts/{count_id:uuid}/lines", guards=COUNTERS)
async def enter_counts_submit(principal: Principal, count_id: uuid.UUID,
                              request: Request[Any, Any, Any]) -> Template:
    """Save what was typed (empty fields are left as they were); all or nothing."""
    form = await form_data(request)
    entries = _entries(form)
    if not entries:
        return await anyio.to_thread.run_sync(
            partial(_count_page, principal, count_id, flash="Nothing to save: type a quantity first."))
    try:
        saved = await anyio.to_thread.run_sync(counts.enter_counts, principal.tenant_id, count_id, entries,
                                               principal.user_id)
    except DomainError as exc:
        bad_line, bad_found = None, False
        match = LINE_FIELD.match(exc.field or "")
        if match and int(match.group(1)) < len(entries):
            entry = entries[int(match.group(1))]
            bad_line, bad_found = entry.get("line_id"), "line_id" not in entry
        return await anyio.to_thread.run_sync(partial(
            _count_page, principal, count_id, exc.status, error=exc.message, bad_line=bad_line,
            bad_found=bad_found, typed=form))
    return await anyio.to_thread.run_sync(partial(
        _count_page, principal, count_id, flash=f"Saved {len(entries)} count{'s' if len(entries) != 1 else ''}: "
                                                f"{saved.counted_lines} of {saved.line_count} lines counted."))


@form_post("/app/counts/{count_id:uuid}/submit", guards=COUNTERS)
async def submit_count_submit(principal: Principal, count_id: uuid.UUID) -> Template | Redirect:
    try:
        await anyio.to_thread.run_sync(counts.submit_count, principal.tenant_id, count_id, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_count_page, principal, count_id, exc.status,
                                                      error=exc.message))
    return Redirect(path=f"/app/counts/{count_id}", status_code=303)


@form_post("/app/counts/{count_id:uuid}/cancel", guards=COUNTERS)
async def cancel_count_submit(principal: Principal, count_id: uuid.UUID,
                              request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    try:
        await anyio.to_thread.run_sync(counts.cancel_count, principal.tenant_id, count_id, principal.user_id,
                                       principal.role in counts.APPROVERS, form.get("reason") or None)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_count_page, principal, count_id, exc.status,
                                                      error=exc.message))
    return Redirect(path=f"/app/counts/{count_id}", status_code=303)


def _review(principal: Principal, count_id: uuid.UUID, status_code: int = 200, **extra: Any) -> Template:
    review = count_variances.review_count(principal.tenant_id, count_id)
    return render("inventory/count_review.html", principal, status_code=status_code, active="counts",
                  review=review, count=review.count, **extra)


@page_get("/app/counts/{count_id:uuid}/review", guards=APPROVERS)
def review_page(principal: Principal, count_id: uuid.UUID) -> Template:
    """Expected, book and counted per line with the variance in quantity and value."""
    return _review(principal, count_id)


@form_post("/app/counts/{count_id:uuid}/post", guards=APPROVERS)
async def post_count_submit(principal: Principal, count_id: uuid.UUID) -> Template | Redirect:
    try:
        await anyio.to_thread.run_sync(count_variances.post_count, principal.tenant_id, count_id, principal.user_id)
    except DomainError as exc:
        return await anyio.to_thread.run_sync(partial(_review, principal, count_id, exc.status, error=exc.message))
    return Redirect(path=f"/app/counts/{count_id}/review", status_code=303)


handlers = [
    counts_page, create_count_submit, count_page, enter_counts_submit, submit_count_submit, cancel_count_submit,
    review_page, post_count_submit,
]
