"""Signed bearer tokens (JWT, HS256) naming a user and the tenant they act in."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from core.errors import Unauthorized


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    expires_at: int


def issue_token(secret: str, user_id: uuid.UUID, tenant_id: uuid.UUID, ttl_seconds: int) -> str:
    """A token valid for ``ttl_seconds``; the role is looked up per request, not carried."""
    now = int(time.time())
    # jti: every login gets a new, unguessable token, even twice in one second (rotation).
    claims = {"sub": str(user_id), "tid": str(tenant_id), "iat": now, "exp": now + ttl_seconds,
              "jti": secrets.token_urlsafe(16)}
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret))


def read_token(secret: str, token: str) -> TokenClaims:
    """Verify signature and expiry; raise :class:`Unauthorized` otherwise."""
    try:
        decoded = jwt.decode(token, OctKey.import_key(secret), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            exp={"essential": True}, sub={"essential": True}, tid={"essential": True}
        ).validate(decoded.claims)
        return TokenClaims(
            uuid.UUID(decoded.claims["sub"]),
            uuid.UUID(decoded.claims["tid"]),
            int(decoded.claims["exp"]),
        )
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized("invalid or expired token") from exc
