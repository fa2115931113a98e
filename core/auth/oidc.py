"""Single sign-on with the tenant's OpenID Connect provider (authlib client).

Per tenant: issuer, client id and secret, optional email domain for just-in-time
membership and the role such newcomers get. Login is the authorization-code flow with
PKCE (S256), a ``state`` and a ``nonce``; the ID token's signature is checked against the
provider's JWKS and its ``iss``, ``aud``, ``exp`` and ``nonce`` claims are validated. The
token's email maps to a member of the tenant; with just-in-time membership, an unknown
person whose email is in the tenant's domain joins with the configured role (within the
plan's user limit). The state, nonce and code verifier travel in a signed, short-lived
cookie, so no server-side session store is needed. Client secrets are stored encrypted
with a key derived from the app secret.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from sqlalchemy import Boolean, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core import db
from core.auth.passwords import hash_password
from core.billing.entitlements import check_can_add_user
from core.config import get_settings
from core.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from core.orm import Base, tenant_fk
from core.tenancy.models import Membership, User
from core.tenancy.roles import Role
from core.tenancy.signup import normalise_email

STATE_TTL = 600
SCOPES = "openid email profile"


class TenantSso(Base):
    __tablename__ = "tenant_sso"
    __tenant_table__ = True
    __audit_redact__ = frozenset({"client_secret"})

    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str] = mapped_column(Text)
    email_domain: Mapped[str | None] = mapped_column(String(255))
    jit_role: Mapped[str] = mapped_column(String(20), default="viewer")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


@dataclass(frozen=True)
class SsoSettings:
    """What the API shows: never the client secret."""

    issuer: str
    client_id: str
    email_domain: str | None
    jit_role: str
    enabled: bool
    login_url: str


def _secret_key() -> OctKey:
    # A key derived from the app secret, which lives outside the database: a dump of the
    # database alone does not reveal the tenants' client secrets.
    return OctKey.import_key(hashlib.sha256(b"plantops-sso:" + get_settings().secret_key.encode()).digest())


def seal(secret: str) -> str:
    """Encrypt a client secret for storage (JWE, dir + A256GCM)."""
    return jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, secret.encode(), _secret_key())


def unseal(sealed: str) -> str:
    """Decrypt a stored client secret."""
    plaintext = jwe.decrypt_compact(sealed, _secret_key()).plaintext
    return (plaintext or b"").decode()


def _view(row: TenantSso) -> SsoSettings:
    return SsoSettings(row.issuer, row.client_id, row.email_domain, row.jit_role, row.enabled,
                       f"{get_settings().base_url}/sso/{row.tenant_id}/start")


def get_sso(tenant_id: uuid.UUID) -> SsoSettings:
    """The tenant's SSO settings; 404 when none are set."""
    with db.tenant_session(tenant_id) as session:
        row = session.get(TenantSso, tenant_id)
        if row is None:
            raise NotFound("single sign-on is not set up", "sso")
        return _view(row)


def set_sso(tenant_id: uuid.UUID, user_id: uuid.UUID, issuer: str, client_id: str,
            client_secret: str | None, email_domain: str | None, jit_role: str, enabled: bool) -> SsoSettings:
    """Create or change the tenant's SSO settings (a blank secret keeps the stored one)."""
    issuer = issuer.strip().rstrip("/")
    if not issuer.startswith(("https://", "http://")):
        raise InvalidInput("issuer must be an http(s) URL", "issuer")
    if not client_id.strip():
        raise InvalidInput("client_id must not be empty", "client_id")
    domain = (email_domain or "").strip().lower().lstrip("@") or None
    if domain is not None and ("." not in domain or " " in domain):
        raise InvalidInput("email_domain must look like example.com", "email_domain")
    try:
        role = Role(jit_role)
    except ValueError:
        raise InvalidInput(f"jit_role must be one of: {', '.join(r.value for r in Role)}", "jit_role") from None
    if role is Role.OWNER:
        raise InvalidInput("just-in-time members cannot be owners", "jit_role")
    with db.tenant_session(tenant_id, user_id) as session:
        row = session.get(TenantSso, tenant_id)
        if row is None:
            if not client_secret:
                raise InvalidInput("client_secret must not be empty", "client_secret")
            row = TenantSso(tenant_id=tenant_id, issuer=issuer, client_id=client_id.strip(),
                            client_secret=seal(client_secret), email_domain=domain, jit_role=role.value,
                            enabled=enabled)
            session.add(row)
        else:
            row.issuer, row.client_id, row.email_domain = issuer, client_id.strip(), domain
            row.jit_role, row.enabled = role.value, enabled
            if client_secret:
                row.client_secret = seal(client_secret)
        session.flush()
        return _view(row)


def _config(tenant_id: uuid.UUID) -> TenantSso:
    with db.tenant_session(tenant_id) as session:
        row = session.get(TenantSso, tenant_id)
        if row is None or not row.enabled:
            raise NotFound("single sign-on is not set up for this company", "tenant")
        session.expunge(row)
        row.client_secret = unseal(row.client_secret)  # detached: the plain value never flushes
        return row


def _metadata(issuer: str) -> dict[str, Any]:
    answer = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    answer.raise_for_status()
    meta: dict[str, Any] = answer.json()
    if meta.get("issuer", "").rstrip("/") != issuer:
        raise Unauthorized("the identity provider's issuer does not match the settings", "issuer")
    return meta


def _sign(claims: dict[str, Any]) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(get_settings().secret_key))


def _unsign(value: str) -> dict[str, Any]:
    try:
        token = jwt.decode(value, OctKey.import_key(get_settings().secret_key), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(exp={"essential": True}).validate(token.claims)
        if token.claims.get("typ") != "sso":
            raise ValueError("not an SSO state")
        return dict(token.claims)
    except (JoseError, ValueError) as exc:
        raise Unauthorized("the sign-in took too long or was tampered with; start again", "state") from exc


@dataclass(frozen=True)
class SsoStart:
    """Where to send the browser, and the signed cookie that remembers the attempt."""

    authorization_url: str
    cookie: str


def start_login(tenant_id: uuid.UUID, redirect_uri: str) -> SsoStart:
    """Begin the authorization-code flow with PKCE for the tenant's provider.

    ``redirect_uri`` is this app's ``/sso/callback`` (the provider must allow it).
    """
    cfg = _config(tenant_id)
    meta = _metadata(cfg.issuer)
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    client = OAuth2Client(cfg.client_id, cfg.client_secret, scope=SCOPES, redirect_uri=redirect_uri,
                          code_challenge_method="S256")
    url, state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                                 nonce=nonce)
    cookie = _sign({"typ": "sso", "tid": str(tenant_id), "state": state, "nonce": nonce, "cv": verifier,
                    "ru": redirect_uri,
                    "exp": int(time.time()) + STATE_TTL})
    return SsoStart(url, cookie)


def _id_token_claims(cfg: TenantSso, meta: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    jwks = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=10).json())
    try:
        token = jwt.decode(id_token, jwks)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": cfg.issuer}, aud={"essential": True, "value": cfg.client_id},
            exp={"essential": True}, nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise Unauthorized("the identity provider's ID token is not valid", "id_token") from exc
    return dict(token.claims)


@dataclass(frozen=True)
class SsoLogin:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    joined: bool


def finish_login(cookie: str | None, state: str, code: str) -> SsoLogin:
    """Exchange the code (with the PKCE verifier), validate the ID token, map the email."""
    if not cookie:
        raise Unauthorized("the sign-in was not started here; start again", "state")
    saved = _unsign(cookie)
    if not secrets.compare_digest(str(saved["state"]), state):
        raise Unauthorized("the sign-in state does not match; start again", "state")
    tenant_id = uuid.UUID(str(saved["tid"]))
    cfg = _config(tenant_id)
    meta = _metadata(cfg.issuer)
    client = OAuth2Client(cfg.client_id, cfg.client_secret, scope=SCOPES, redirect_uri=str(saved["ru"]),
                          code_challenge_method="S256")
    try:
        tokens = client.fetch_token(meta["token_endpoint"], code=code, code_verifier=str(saved["cv"]))
    except Exception as exc:  # authlib raises its OAuthError or httpx errors
        raise Unauthorized("the identity provider refused the sign-in", "code") from exc
    claims = _id_token_claims(cfg, meta, str(tokens.get("id_token", "")), str(saved["nonce"]))
    if not claims.get("email"):
        raise Forbidden("the identity provider sent no email address", "email")
    if claims.get("email_verified") is False:
        raise Forbidden("the identity provider has not verified this email address", "email")
    email = normalise_email(str(claims["email"]))
    return _map_member(cfg, tenant_id, email)


def _map_member(cfg: TenantSso, tenant_id: uuid.UUID, email: str) -> SsoLogin:
    with db.tenant_session(tenant_id) as session:
        user = session.scalars(select(User).where(User.email == email)).one_or_none()
        if user is not None:
            member = session.scalar(select(Membership.user_id).where(
                Membership.tenant_id == tenant_id, Membership.user_id == user.id))
            if member is not None:
                return SsoLogin(tenant_id, user.id, False)
        if not cfg.email_domain or email.rsplit("@", 1)[1] != cfg.email_domain:
            raise Forbidden(f"{email} is not a member of this company; ask an admin for an invitation", "email")
        check_can_add_user(session, tenant_id)
        if user is None:
            # No password: this person signs in through the identity provider only.
            user = User(id=uuid.uuid4(), email=email, password_hash=hash_password(secrets.token_urlsafe(32)))
            session.add(user)
            session.flush()
        db.set_tenant(session, tenant_id, user.id)
        session.add(Membership(tenant_id=tenant_id, user_id=user.id, role=cfg.jit_role))
        return SsoLogin(tenant_id, user.id, True)
