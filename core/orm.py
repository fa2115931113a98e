"""The declarative base and the column conventions every tenant table follows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, MetaData, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Tables without tenant_id, each for a reason: ``tenant`` is keyed by the tenant id
#: itself; ``app_user`` is a person's login, shared by the tenants they belong to;
#: ``uom`` is shared reference data, read-only to the app; ``stripe_event`` is the receipt
#: of a Stripe webhook, keyed by Stripe's globally unique event id and stored before its
#: tenant is known (exactly-once processing). Everything else is tenant data.
GLOBAL_TABLES = frozenset({"tenant", "app_user", "uom", "stripe_event", "alembic_version"})


class Base(DeclarativeBase):
    """Base of all models. ``__tenant_table__`` marks tables that hold tenant data."""

    metadata = MetaData(naming_convention=NAMING)
    __tenant_table__: bool = False
    #: Whether ORM changes of this table's rows go to the audit log (core.audit.capture).
    __audited__: bool = True


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def tenant_fk(references_tenant: bool = True) -> Mapped[uuid.UUID]:
    """``tenant_id``: always the first primary-key column of a tenant table.

    ``references_tenant=False`` for the ledger rows every posting inserts, whose composite
    keys already name the tenant's item or move (see migration 0113).
    """
    if not references_tenant:
        return mapped_column(UUID(as_uuid=True), primary_key=True)
    return mapped_column(UUID(as_uuid=True), ForeignKey("tenant.id"), primary_key=True)


def created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
