"""Tenants, plants, users and memberships."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint, false, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base, created_at, tenant_fk, uuid_pk


class Tenant(Base):
    """A subscriber company. Its ``id`` is the tenant id every tenant row carries."""

    __tablename__ = "tenant"
    __tenant_table__ = True

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    #: The subscription plan's code (core.billing.plans.PLANS): what the tenant may use.
    plan: Mapped[str] = mapped_column(String(20), server_default="starter")
    created_at: Mapped[datetime] = created_at()
    # The subscription as Stripe last told us (webhooks); see core.billing.status.
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64))
    subscription_status: Mapped[str] = mapped_column(String(20), server_default="trialing")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    trial_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    current_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, server_default=false())
    #: ``created`` of the newest subscription event applied: an older one arriving late is ignored.
    billing_event_created: Mapped[int | None] = mapped_column(BigInteger)


class Plant(Base):
    __tablename__ = "plant"
    __tenant_table__ = True
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


class User(Base):
    """A person's login. Global, not tenant data: one person may belong to several tenants."""

    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()


class Membership(Base):
    """A user's role in a tenant."""

    __tablename__ = "membership"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("app_user.id"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = created_at()


class TenantPlugin(Base):
    """A plugin a tenant has enabled; absent row means disabled."""

    __tablename__ = "tenant_plugin"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    enabled_at: Mapped[datetime] = created_at()


class Invitation(Base):
    """An invitation to join the tenant with a role; the emailed link carries its signed id."""

    __tablename__ = "invitation"
    __tenant_table__ = True

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    invited_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
