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
