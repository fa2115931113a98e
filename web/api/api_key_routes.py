"""/api/v1/api-keys: keys for integrations (owner and admin manage them)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from core.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from core.auth.login import Principal
from core.tenancy.roles import TENANT_ADMINS
from web.api.common import api_delete, api_get, api_post, to_json
from web.auth import roles

ADMINS = [roles(TENANT_ADMINS)]


class ApiKeyIn(msgspec.Struct):
    name: str
    scope: str = "read"


@api_get("/api-keys", guards=ADMINS)
def list_keys_route(principal: Principal) -> dict[str, Any]:
    """The tenant's keys with prefix, scope and last use; never a secret."""
    return {"items": to_json(list_api_keys(principal.tenant_id))}


@api_post("/api-keys", status_code=201, guards=ADMINS)
def create_key_route(principal: Principal, data: ApiKeyIn) -> dict[str, Any]:
    """Make a key; ``key`` in the answer is shown this once and never again."""
    made = create_api_key(principal.tenant_id, principal.user_id, data.name, data.scope)
    return {"key": made.key, **to_json(made.api_key)}


@api_delete("/api-keys/{key_id:uuid}", guards=ADMINS)
def revoke_key_route(principal: Principal, key_id: uuid.UUID) -> None:
    """Revoke a key; calls with it fail from now on."""
    revoke_api_key(principal.tenant_id, principal.user_id, key_id)


handlers = [list_keys_route, create_key_route, revoke_key_route]
