"""/api/v1/sso: the tenant's OpenID Connect settings (owner and admin; the secret is write-only)."""

from __future__ import annotations

from typing import Any

import msgspec

from core.auth.login import Principal
from core.auth.oidc import get_sso, set_sso
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import api_get, api_put, to_json
from web.auth import roles

ADMINS = [roles(TENANT_ADMINS)]


class SsoIn(msgspec.Struct):
    issuer: str
    client_id: str
    client_secret: str | None = None
    email_domain: str | None = None
    jit_role: str = "viewer"
    enabled: bool = True


@api_get("/sso", guards=ADMINS)
def get_sso_route(principal: Principal) -> dict[str, Any]:
    """The SSO settings and the company's sign-in link (never the client secret)."""
    return to_json(get_sso(principal.tenant_id))


@api_put("/sso", guards=ADMINS)
def put_sso_route(principal: Principal, data: SsoIn) -> dict[str, Any]:
    """Set issuer, client id and secret, and optional just-in-time membership by email domain."""
    return to_json(set_sso(principal.tenant_id, principal.user_id, data.issuer, data.client_id,
                           data.client_secret, data.email_domain, data.jit_role, data.enabled))


handlers = [get_sso_route, put_sso_route]
