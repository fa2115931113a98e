"""/api/v1/members and /api/v1/invitations: the team, its roles and invitations."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Router

from core.auth.login import Principal
from core.auth.tokens import issue_token
from core.config import get_settings
from core.tenancy import team
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import api_delete, api_get, api_patch, api_post, to_json
from web.auth import roles

ADMINS = [roles(TENANT_ADMINS)]


class InviteIn(msgspec.Struct):
    email: str
    role: str


class RoleIn(msgspec.Struct):
    role: str = ""  # checked by the service after the member is found (404 before 422)


class AcceptIn(msgspec.Struct):
    token: str
    password: str


@api_get("/members")
def list_members_route(principal: Principal) -> dict[str, Any]:
    """The tenant's members with their roles."""
    return {"items": to_json(team.list_members(principal.tenant_id))}


@api_patch("/members/{user_id:uuid}", guards=ADMINS)
def change_role_route(principal: Principal, user_id: uuid.UUID, data: RoleIn) -> dict[str, Any]:
    """Give a member another role (owner and admin; only an owner touches owners)."""
    return to_json(team.change_role(principal.tenant_id, principal.user_id, principal.role,
                                    user_id, data.role))


@api_delete("/members/{user_id:uuid}", guards=ADMINS)
def remove_member_route(principal: Principal, user_id: uuid.UUID) -> None:
    """Remove a member from the tenant (owner and admin; the last owner stays)."""
    team.remove_member(principal.tenant_id, principal.user_id, principal.role, user_id)


@api_get("/invitations", guards=ADMINS)
def list_invitations_route(principal: Principal) -> dict[str, Any]:
    """Invitations sent, with their state."""
    return {"items": to_json(team.list_invitations(principal.tenant_id))}


@api_post("/invitations", status_code=201, guards=ADMINS)
def invite_route(principal: Principal, data: InviteIn) -> dict[str, Any]:
    """Invite someone by email with a role; the link goes out by mail (outbox)."""
    return to_json(team.invite(principal.tenant_id, principal.user_id, principal.role,
                               data.email, data.role))


@api_delete("/invitations/{invitation_id:uuid}", guards=ADMINS)
def revoke_invitation_route(principal: Principal, invitation_id: uuid.UUID) -> None:
    """Revoke an open invitation; its link stops working."""
    team.revoke_invitation(principal.tenant_id, principal.user_id, invitation_id)


@api_get("/invitations/preview")
def preview_route(token: str) -> dict[str, Any]:
    """What an invitation link offers (no login needed: the link is the credential)."""
    return to_json(team.preview_invitation(token))


@api_post("/invitations/accept", status_code=200)
def accept_route(data: AcceptIn) -> dict[str, Any]:
    """Accept an invitation: set a password (new person) or prove it; returns a token."""
    accepted = team.accept_invitation(data.token, data.password)
    settings = get_settings()
    token = issue_token(settings.secret_key, accepted.user_id, accepted.tenant_id,
                        settings.token_ttl_seconds)
    return {"access_token": token, "token_type": "bearer", "expires_in": settings.token_ttl_seconds,
            "tenant_id": str(accepted.tenant_id), "user_id": str(accepted.user_id)}


handlers = [list_members_route, change_role_route, remove_member_route, list_invitations_route,
            invite_route, revoke_invitation_route]
public_router = Router(path="/api/v1", route_handlers=[preview_route, accept_route], tags=["team"])
