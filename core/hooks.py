"""THE plugin contract: every hook a plantops plugin may implement.

A plugin is a module registered under the entry-point group ``plantops.plugins``. It
declares ``PLUGIN_INFO = PluginInfo(name, description)`` and implements any of the
hooks below with ``@hookimpl``. Unless a hook says otherwise it is called only for
tenants that enabled the plugin (through :func:`core.plugins.call_hook`), inside the
caller's transaction, so whatever a plugin writes commits or rolls back with it.

Hooks that return lists: every enabled plugin's answer counts (pluggy collects them).
Hooks marked ``firstresult``: the first non-``None`` answer wins.
"""

from __future__ import annotations

import uuid
from typing import Any

import pluggy

PROJECT = "plantops"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_routes() -> list[Any]:
    """Called once per process when the web app is built, for every installed plugin.

    Return Litestar route handlers or routers to mount (a plugin's own routes live
    under ``/api/v1/<plugin>/`` and ``/app/<plugin>/``). The routes exist for every
    tenant; they must refuse tenants that have not enabled the plugin (the web layer
    offers a guard for that).
    """


@hookspec
def validate_item(tenant_id: uuid.UUID, fields: dict[str, Any], session: Any) -> list[tuple[str, str]]:
    """Called before an item is created or updated, with the checked fields to be saved.

    ``fields`` holds every field on create and the changed ones on update (always
    ``sku``). Return a list of ``(field, message)`` refusals; an empty list or ``None``
    accepts. The first refusal is shown to the user as a 422 naming the field, and
    nothing is saved.
    """


@hookspec
def plugin_enabled(tenant_id: uuid.UUID, session: Any) -> None:
    """Called once when a tenant enables this plugin, inside that transaction.

    Use it to create the plugin's default settings rows for the tenant. Only the
    plugin being enabled is called. The return value is ignored.
    """


@hookspec
def before_post_move(tenant_id: uuid.UUID, move: Any, session: Any) -> list[str]:
    """Called before a stock move is written, once per move, after every built-in check.

    ``move`` is a :class:`core.inventory.move_types.PlannedMove`: kind, item (with its
    sku and tracking), quantity, from/to location (id, code, plant), lot (code, status,
    expiry), serials, reason, reference, reservation and, for a reversal, the move it
    reverses. Return a list of refusal reasons (plain text); an empty list or ``None``
    accepts. Any refusal stops the posting: the user gets a 409 whose detail joins the
    reasons, and nothing is written. Do not write in this hook.
    """


@hookspec
def after_post_move(tenant_id: uuid.UUID, move: Any, session: Any) -> None:
    """Called after a stock move and its balances are written, in the same transaction.

    ``move`` is the posted :class:`core.inventory.move_types.MoveView` (id, kind, sku,
    quantity, locations, lot, serials, cost). A plugin may write its own rows here (e.g.
    a recall index); an exception rolls the whole posting back. Not called when an
    idempotent repeat returns an earlier move. The return value is ignored.
    """


@hookspec
def adjust_supply(tenant_id: uuid.UUID, lots: list[Any], period_starts: list[Any],
                  session: Any) -> list[Any]:
    """Called once per MRP run while on-hand supply is loaded, before planning.

    ``lots`` is every non-zero stock balance of the plant as
    :class:`core.inventory.supply.LotStock` (item, lot, status, expiry date, location,
    quantity); ``period_starts`` are the first days of the run's periods. Core already
    leaves out lots that are quarantined, rejected or expired by status. Return a list of
    :class:`core.planning.mrp_input.SupplyRemoval` (lot id and a reason the planner
    reads in the run notes) for lots that must not count as supply, e.g. a lot that
    expires before the first requirement. ``None`` or an empty list removes nothing.

    A removal with ``usable_until`` (a date) removes the lot only from then on: it stays
    supply for every period that ends on or before that date, and what the earlier
    requirements leave of it (consumed first-expiring-first) is lost when the next period
    begins; core plans twice to know that (see :mod:`core.planning.expiring_supply`). The
    run notes name each lot and how much of it expires unused.
    """


@hookspec(firstresult=True)
def choose_lots(
    tenant_id: uuid.UUID, item: Any, location: Any, quantity: Any, candidates: list[Any], session: Any
) -> list[tuple[uuid.UUID, Any]] | None:
    """Called when an outbound move (issue, scrap, transfer, adjustment) of a lot-tracked
    item names no lot, and when a reservation of one names no lot.

    ``item`` is a :class:`core.inventory.refs.StockItem`, ``location`` a
    :class:`core.inventory.refs.LocationRef`, ``quantity`` a ``Decimal``, ``candidates``
    the usable lots there (:class:`core.inventory.lot_allocation.LotCandidate`: lot id,
    code, status, expiry date, received date, available quantity), first received first.
    Return an ordered list of ``(lot_id, Decimal quantity)`` that adds up to ``quantity``
    (each within the candidate's available quantity), or ``None`` to let the next plugin
    or the default (FIFO by received date) decide. ``firstresult``: the first answer wins.
    A reservation takes the first lot of the answer that can hold all of it.
    """


@hookspec(firstresult=True)
def plan_item(tenant_id: uuid.UUID, sku: str, orders: list[dict[str, Any]],
              session: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """Called after planning, for each purchased item that has planned orders.

    ``orders`` are the engine's planned orders for ``sku`` (quantity, release_period,
    receipt_period, pegging) as in the plan output. Return ``(source, orders)`` to replace
    them with the plugin's own proposal (a VMI supplier replenishes instead of a planned
    purchase; ``source`` names the plugin and is stored on each order); return ``None`` to
    keep the engine's orders. The first plugin that answers wins.
    """


@hookspec
def before_release(tenant_id: uuid.UUID, sku: str, kind: str, quantity: Any, due_date: Any,
                   session: Any) -> list[str]:
    """Called before a planned order is firmed or released, inside that transaction.

    Return a list of reasons to refuse (an APQP gate that is still open, say); the
    first reason is shown to the planner with a 409 and nothing changes. An empty list
    or ``None`` allows the release.
    """


@hookspec
def register_pages() -> list[Any]:
    """Called once per process when the web app is built, for every installed plugin.

    Return Litestar page handlers (HTML, paths under ``/app/<plugin>/``). They are
    mounted behind the same login as the core pages, and must refuse tenants that have
    not enabled the plugin (``web.plugin_guard.plugin_required``). Templates live in the
    plugin's own ``templates/<plugin>/`` folder, which the app adds to its search path.
    """


@hookspec
def seed_demo(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Called by ``plantops demo`` once, for the plugin's own demo tenant ("Demo <title>",
    login ``<prefix>@plantops.local`` where prefix is the plugin name up to its first
    underscore), right after the plugin was enabled there.

    Write the demo data a person of that trade expects to see, through the services
    (which open their own transactions). Only the plugin whose tenant it is is called.
    The return value is ignored.
    """


@hookspec
def daily_scan(tenant_id: uuid.UUID, today: Any, session: Any) -> dict[str, Any]:
    """Called once a day per tenant by the ``daily_scan`` job (scheduled by the worker,
    or run now with ``plantops daily-scan``), for the plugins the tenant enabled.

    ``today`` is the ``datetime.date`` being scanned; ``session`` is the job's tenant
    transaction. Do the day's housekeeping (expire lots, write alerts, reserve ahead)
    idempotently: running the same day twice must change nothing the second time.
    Return a small JSON-able summary dict (the job's result lists every plugin's), or
    ``None``.
    """


@hookspec
def dashboard_alerts(tenant_id: uuid.UUID, session: Any) -> list[Any]:
    """Called when the dashboard or ``GET /api/v1/alerts`` is shown, for enabled plugins.

    Return a list of :class:`core.alerts.Alert` (severity, title, detail, link) for what
    needs a person's attention now (a lot expiring, a reagent short for a run). Read only:
    do not write in this hook. ``None`` or an empty list shows nothing.
    """


@hookspec(firstresult=True)
def initial_lot_status(tenant_id: uuid.UUID, item: Any, lot_code: str, session: Any) -> str | None:
    """Called when an inbound move (receipt, gain, transfer-in of a new code) creates a lot,
    just before the lot row is written, inside the posting's transaction.

    ``item`` is the :class:`core.inventory.refs.StockItem` (a lot-tracked item) and
    ``lot_code`` the new lot's code. Return the status the new lot starts with (one of
    ``available``, ``quarantine``, ``rejected``, ``expired``; a pharma lab answers
    ``quarantine`` so that nothing is used before QC releases it), or ``None`` to keep the
    default ``available``. ``firstresult``: the first answer wins. Not called for stock
    that goes into an existing lot (the lot keeps its status). Do not write in this hook.
    """


@hookspec
def before_lot_status_change(tenant_id: uuid.UUID, lot: Any, new_status: str, user_id: uuid.UUID | None,
                             session: Any) -> list[str]:
    """Called by ``PATCH /api/v1/lots/{code}`` (:func:`core.inventory.lots.update_lot`) before a
    lot's status changes, with the lot locked, inside that transaction.

    ``lot`` is a :class:`core.inventory.move_types.LotRef` (id, code, current status,
    expiry, received date), ``new_status`` the status asked for and ``user_id`` who asks.
    Return a list of refusal reasons (plain text), e.g. "only a QC release with an
    electronic signature may take a lot out of quarantine"; an empty list or ``None``
    allows it. Any refusal is a 409 whose detail joins the reasons, and nothing changes.
    Status changes a plugin makes itself through
    :func:`core.inventory.lots.set_lot_status` do not call this hook. Do not write here.
    """
