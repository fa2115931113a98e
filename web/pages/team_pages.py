"""The team page (members, roles, invitations) and the public invitation-accept page."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
from litestar import Request
from litestar.response import Redirect, Template

from core.auth.login import Principal
from core.auth.tokens import issue_token
from core.config import get_settings
from core.errors import DomainError
from core.tenancy import team
from core.tenancy.roles import TENANT_ADMINS, Role
from web.auth import roles
from web.pages.common import async_get, form_data, form_post, page_get, redirect_with_session, render

ADMINS = [roles(TENANT_ADMINS)]


def _team_context(principal: Principal) -> dict[str, Any]:
    admin = principal.role in TENANT_ADMINS
    return {"active": "team", "members": team.list_members(principal.tenant_id),
            "invitations": team.list_invitations(principal.tenant_id) if admin else [],
            "can_admin": admin, "roles": [r.value for r in Role]}


@page_get("/app/team")
def team_page(principal: Principal) -> Template:
    return render("team.html", principal, form={}, **_team_context(principal))


async def _team_action(principal: Principal, action: Any, form: dict[str, str]) -> Template | Redirect:
    try:
        await anyio.to_thread.run_sync(action)
    except DomainError as exc:
        context = await anyio.to_thread.run_sync(_team_context, principal)
        return render("team.html", principal, status_code=exc.status, form=form,
                      error=exc.message, field=exc.field, **context)
    return Redirect(path="/app/team", status_code=303)


@form_post("/app/team/invite", guards=ADMINS)
async def invite_submit(principal: Principal, request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    return await _team_action(principal, lambda: team.invite(
        principal.tenant_id, principal.user_id, principal.role, form.get("email", ""),
        form.get("role", "")), form)


@form_post("/app/team/{user_id:uuid}/role", guards=ADMINS)
async def role_submit(principal: Principal, user_id: uuid.UUID,
                      request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    return await _team_action(principal, lambda: team.change_role(
        principal.tenant_id, principal.user_id, principal.role, user_id, form.get("role", "")), {})


@form_post("/app/team/{user_id:uuid}/remove", guards=ADMINS)
async def remove_submit(principal: Principal, user_id: uuid.UUID) -> Template | Redirect:
    return await _team_action(principal, lambda: team.remove_member(
        principal.tenant_id, principal.user_id, principal.role, user_id), {})


@async_get("/invite")
async def invite_page(token: str = "") -> Template:
    try:
        preview = await anyio.to_thread.run_sync(team.preview_invitation, token)
    except DomainError as exc:
        return render("invite.html", None, status_code=exc.status, error=exc.message, token="")
    return render("invite.html", None, preview=preview, token=token)


@form_post("/invite")
async def accept_submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_data(request)
    token = form.get("token", "")
    try:
        accepted = await anyio.to_thread.run_sync(team.accept_invitation, token, form.get("password", ""))
    except DomainError as exc:
        preview = None
        try:
            preview = await anyio.to_thread.run_sync(team.preview_invitation, token)
        except DomainError:
            pass
        return render("invite.html", None, status_code=exc.status, error=exc.message,
                      preview=preview, token=token if preview else "")
    settings = get_settings()
    session_token = issue_token(settings.secret_key, accepted.user_id, accepted.tenant_id,
                                settings.token_ttl_seconds)
    return redirect_with_session("/", session_token)


handlers = [team_page, invite_submit, role_submit, remove_submit]
public_handlers = [invite_page, accept_submit]
