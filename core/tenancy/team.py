"""The team: members and their roles, invitations by signed expiring link, acceptance.

An invitation link carries a JWT (HS256 with the app secret) naming the invitation and
its tenant, valid for ``invitation_ttl_seconds``; the row decides whether it is still
open (not accepted, not revoked, not expired), so a link works once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import db, jobs
from core.auth.passwords import check_password_rules, hash_password, verify_password
from core.billing.entitlements import check_can_add_user
from core.config import get_settings
from core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from core.mail.outbox import queue_mail
from core.tenancy.models import Invitation, Membership, Tenant, User
from core.tenancy.roles import Role
from core.tenancy.signup import normalise_email


@dataclass(frozen=True)
class MemberView:
    user_id: uuid.UUID
    email: str
    role: str
    joined_at: datetime


@dataclass(frozen=True)
class InvitationView:
    id: uuid.UUID
    email: str
    role: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class InvitationPreview:
    """What the accept page shows before the invitee answers."""

    tenant_name: str
    email: str
    role: str
    has_account: bool


@dataclass(frozen=True)
class Accepted:
    tenant_id: uuid.UUID
    user_id: uuid.UUID


def parse_role(value: str) -> Role:
    """The role named ``value``; 422 on field ``role`` otherwise."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInput(f"role must be one of: {', '.join(r.value for r in Role)}", "role") from None


def _may_grant(actor_role: Role, role: Role) -> None:
    # Only an owner makes owners: an admin cannot promote anyone (or themselves) above admin.
    if role is Role.OWNER and actor_role is not Role.OWNER:
        raise Forbidden("only an owner may make someone an owner", "role")


def _view(inv: Invitation) -> InvitationView:
    return InvitationView(inv.id, inv.email, inv.role, inv.created_at, inv.expires_at,
                          inv.accepted_at, inv.revoked_at)


def invitation_token(tenant_id: uuid.UUID, invitation_id: uuid.UUID, expires_at: datetime) -> str:
    """The signed token an invitation link carries."""
    claims = {"typ": "invite", "inv": str(invitation_id), "tid": str(tenant_id),
              "iat": int(time.time()), "exp": int(expires_at.timestamp())}
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(get_settings().secret_key))


def _read_invitation_token(token: str) -> tuple[uuid.UUID, uuid.UUID]:
    try:
        decoded = jwt.decode(token, OctKey.import_key(get_settings().secret_key), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(exp={"essential": True}, inv={"essential": True},
                              tid={"essential": True}).validate(decoded.claims)
        if decoded.claims.get("typ") != "invite":
            raise ValueError("not an invitation token")
        return uuid.UUID(decoded.claims["tid"]), uuid.UUID(decoded.claims["inv"])
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized("the invitation link is invalid or has expired", "token") from exc


def invite(tenant_id: uuid.UUID, actor_id: uuid.UUID, actor_role: Role, email: str,
           role: str) -> InvitationView:
    """Invite ``email`` with ``role``: the invitation and its mail in one transaction.

    409 when the person is already a member or has an open invitation; 403 when the
    plan's user limit is reached (an open invitation holds a seat).
    """
    email, wanted = normalise_email(email), parse_role(role)
    _may_grant(actor_role, wanted)
    settings = get_settings()
    now = datetime.now(UTC)
    with db.tenant_session(tenant_id, actor_id) as session:
        member = session.scalar(select(Membership.user_id).join(User, User.id == Membership.user_id)
                                .where(Membership.tenant_id == tenant_id, User.email == email))
        if member is not None:
            raise Conflict(f"{email} is already a member", "email")
        open_one = session.scalar(select(Invitation.id).where(
            Invitation.tenant_id == tenant_id, Invitation.email == email,
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > func.now()))
        if open_one is not None:
            raise Conflict(f"{email} already has an open invitation; revoke it to send a new one",
                           "email")
        check_can_add_user(session, tenant_id)
        tenant_name = session.scalar(select(Tenant.name).where(Tenant.id == tenant_id))
        inv = Invitation(tenant_id=tenant_id, id=uuid.uuid4(), email=email, role=wanted.value,
                         invited_by=actor_id, created_at=now,
                         expires_at=now + timedelta(seconds=settings.invitation_ttl_seconds))
        session.add(inv)
        link = f"{settings.base_url}/invite?token={invitation_token(tenant_id, inv.id, inv.expires_at)}"
        mail_id = queue_mail(
            session, tenant_id, email, f"You are invited to {tenant_name} on plantops",
            f"You have been invited to join {tenant_name} on plantops as {wanted.value}.\n\n"
            f"Accept the invitation here (the link works once and expires on "
            f"{inv.expires_at:%Y-%m-%d %H:%M} UTC):\n{link}\n")
        session.flush()
        view = _view(inv)
    jobs.send_mail(tenant_id, mail_id)
    return view


def list_invitations(tenant_id: uuid.UUID) -> list[InvitationView]:
    """Every invitation of the tenant, newest first."""
    with db.tenant_session(tenant_id) as session:
        rows = session.scalars(select(Invitation).where(Invitation.tenant_id == tenant_id)
                               .order_by(Invitation.created_at.desc()))
        return [_view(r) for r in rows]


def revoke_invitation(tenant_id: uuid.UUID, actor_id: uuid.UUID, invitation_id: uuid.UUID) -> None:
    """Revoke an open invitation (its link stops working); 404 if unknown, 409 if accepted."""
    with db.tenant_session(tenant_id, actor_id) as session:
        inv = session.scalars(select(Invitation).where(
            Invitation.tenant_id == tenant_id, Invitation.id == invitation_id)).one_or_none()
        if inv is None:
            raise NotFound(f"no invitation {invitation_id}", "invitation")
        if inv.accepted_at is not None:
            raise Conflict("the invitation was already accepted; remove the member instead",
                           "invitation")
        if inv.revoked_at is None:
            inv.revoked_at = datetime.now(UTC)


def _open_invitation(session: Session, token: str) -> Invitation:
    tenant_id, inv_id = _read_invitation_token(token)
    db.set_tenant(session, tenant_id)
    inv = session.scalars(select(Invitation).where(
        Invitation.tenant_id == tenant_id, Invitation.id == inv_id).with_for_update()).one_or_none()
    if inv is None or inv.revoked_at is not None or inv.expires_at <= datetime.now(UTC):
        raise Unauthorized("the invitation link is invalid or has expired", "token")
    if inv.accepted_at is not None:
        raise Conflict("this invitation was already accepted; log in instead", "token")
    return inv


def preview_invitation(token: str) -> InvitationPreview:
    """What an open invitation offers (401 for a bad, expired or revoked link)."""
    tenant_id, _ = _read_invitation_token(token)
    with db.tenant_session(tenant_id) as session:
        inv = _open_invitation(session, token)
        name = session.scalar(select(Tenant.name).where(Tenant.id == inv.tenant_id)) or ""
        has_account = session.scalar(select(User.id).where(User.email == inv.email)) is not None
        return InvitationPreview(name, inv.email, inv.role, has_account)


def accept_invitation(token: str, password: str) -> Accepted:
    """Join the tenant: a new person sets a password, a known one proves theirs.

    One transaction: the user (if new), the membership and the invitation's
    ``accepted_at``; the seat was counted when the invitation was sent.
    """
    tenant_id, _ = _read_invitation_token(token)
    with db.tenant_session(tenant_id) as session:
        inv = _open_invitation(session, token)
        user = session.scalars(select(User).where(User.email == inv.email)).one_or_none()
        if user is None:
            check_password_rules(password, inv.email)
            user = User(id=uuid.uuid4(), email=inv.email, password_hash=hash_password(password))
            session.add(user)
            session.flush()
        elif not verify_password(user.password_hash, password):
            raise Unauthorized("password is incorrect for this account", "password")
        db.set_tenant(session, tenant_id, user.id)
        present = session.scalar(select(Membership.user_id).where(
            Membership.tenant_id == tenant_id, Membership.user_id == user.id))
        if present is None:
            check_can_add_user(session, tenant_id, holds_seat=True)
            session.add(Membership(tenant_id=tenant_id, user_id=user.id, role=inv.role))
        inv.accepted_at = datetime.now(UTC)
        return Accepted(tenant_id, user.id)


def list_members(tenant_id: uuid.UUID) -> list[MemberView]:
    """The tenant's members with their email and role, in joining order."""
    with db.tenant_session(tenant_id) as session:
        rows = session.execute(
            select(Membership, User.email).join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant_id).order_by(Membership.created_at))
        return [MemberView(m.user_id, email, m.role, m.created_at) for m, email in rows]


def _member(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    row = session.scalars(select(Membership).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user_id).with_for_update()).one_or_none()
    if row is None:
        raise NotFound(f"no member {user_id}", "user_id")
    return row


def _owners(session: Session, tenant_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count()).select_from(Membership).where(
        Membership.tenant_id == tenant_id, Membership.role == Role.OWNER.value)) or 0)


def change_role(tenant_id: uuid.UUID, actor_id: uuid.UUID, actor_role: Role, user_id: uuid.UUID,
                role: str) -> MemberView:
    """Give a member another role; only an owner touches owners; the last owner stays."""
    with db.tenant_session(tenant_id, actor_id) as session:
        # Lock the tenant row: two demotions racing cannot both see "another owner left".
        session.scalar(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())
        # The member first: another tenant's id is a 404 whatever the body says.
        member = _member(session, tenant_id, user_id)
        wanted = parse_role(role)
        _may_grant(actor_role, wanted)
        if member.role == Role.OWNER.value and actor_role is not Role.OWNER:
            raise Forbidden("only an owner may change an owner's role", "user_id")
        if member.role == Role.OWNER.value and wanted is not Role.OWNER and _owners(session, tenant_id) <= 1:
            raise Conflict("the tenant must keep at least one owner", "role")
        member.role = wanted.value
        email = session.scalar(select(User.email).where(User.id == user_id)) or ""
        return MemberView(member.user_id, email, member.role, member.created_at)


def remove_member(tenant_id: uuid.UUID, actor_id: uuid.UUID, actor_role: Role, user_id: uuid.UUID) -> None:
    """Remove a member from the tenant (their login stays for other tenants)."""
    with db.tenant_session(tenant_id, actor_id) as session:
        session.scalar(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())
        member = _member(session, tenant_id, user_id)
        if member.role == Role.OWNER.value:
            if actor_role is not Role.OWNER:
                raise Forbidden("only an owner may remove an owner", "user_id")
            if _owners(session, tenant_id) <= 1:
                raise Conflict("the tenant must keep at least one owner", "user_id")
        session.delete(member)
