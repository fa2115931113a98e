"""The roles a member can hold, and which of them may do what."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    PLANNER = "planner"
    STOREKEEPER = "storekeeper"
    VIEWER = "viewer"


#: Who may change the catalog (items, locations): the people who set the plant up
#: and the people who work with the stock and the plan every day.
CATALOG_WRITERS = frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER, Role.STOREKEEPER})
#: Who may post stock moves and make or release reservations: the same people.
INVENTORY_WRITERS = CATALOG_WRITERS
#: Who may change tenant-wide settings such as enabled plugins.
TENANT_ADMINS = frozenset({Role.OWNER, Role.ADMIN})
#: Who may change demand, the plan's inputs and firm planned orders.
PLANNERS = frozenset({Role.OWNER, Role.ADMIN, Role.PLANNER})
