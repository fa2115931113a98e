"""Which company's identity provider signs in a work email: the login page's SSO button."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from core import db
from core.errors import NotFound
from core.tenancy.signup import normalise_email


def sso_tenant_for_email(email: str) -> uuid.UUID:
    """The tenant whose SSO is set up for ``email``'s domain.

    422 on ``email`` for something that is not an email; 404 on ``email`` when no tenant
    (or more than one) claims the domain: the person then needs their company's own
    sign-in link, which an admin finds on the SSO settings.
    """
    domain = normalise_email(email or "").rsplit("@", 1)[1]
    with db.global_session() as session:
        # RLS hides tenant_sso without a tenant; see migration 0110 for this narrow lookup.
        found = session.scalar(text("SELECT sso_tenant_for_domain(:d)"), {"d": domain})
    if found is None:
        raise NotFound(f"no single sign-on is set up for {domain}; ask your administrator for your "
                       "company's sign-in link", "email")
    return uuid.UUID(str(found))
