"""The roles a member can hold, and which of them may do what (matrix in the README)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    PLANNER = "planner"
    STOREKEEPER = "storekeeper"
    VIEWER = "viewer"
    #: Quality assurance: reads everything; plugins (pharma lab, food) give it release rights.
    QA = "qa"
    #: An outside supplier's person: sees only what the supplier portal (VMI plugin) shows,
    #: none of the tenant's core data.
    SUPPLIER = "supplier"


#: Who may change the catalog (items, locations): the people who set the plant up
#: and the people who work with the stock and the plan every day.
CATALOG_WRITERS = frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER, Role.STOREKEEPER})
#: Who may post stock moves and make or release reservations: the same people.
INVENTORY_WRITERS = CATALOG_WRITERS
#: Who may change tenant-wide settings: plugins, plants, team, API keys, audit log.
TENANT_ADMINS = frozenset({Role.OWNER, Role.ADMIN})
#: Who may change demand, the plan's inputs and firm planned orders.
PLANNERS = frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER})
#: Who may see the subscription and pay for it.
BILLING_MANAGERS = frozenset({Role.OWNER})
#: Everyone who may read the tenant's core data (the supplier may not).
READERS = frozenset(set(Role) - {Role.SUPPLIER})
