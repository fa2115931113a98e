"""Login rate limiting in Redis, per account (email) and per client address.

Failed attempts are counted in fixed windows (``INCR``, ``EXPIRE`` on the first): after
``PLANTOPS_LOGIN_MAX_PER_ACCOUNT`` failures (default 5) for one email, or
``PLANTOPS_LOGIN_MAX_PER_ADDRESS`` failures (default 30, so an office behind one NAT is
not locked out by a few typos) from one address, within ``PLANTOPS_LOGIN_WINDOW`` seconds
(default 900), further attempts get 429 with ``Retry-After`` until the window ends, even
with the right password. A successful login clears its account's counter. Emails are
hashed in the keys so Redis holds no addresses.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from core import kv
from core.errors import TooManyRequests

PREFIX = "plantops:login-failures"
# INCR, and start the window on the first failure, atomically (EXPIRE … NX needs Redis 7;
# the embedded redis is 6.2, so a two-line script does it on every version).
_INCR_WITH_WINDOW = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


@dataclass(frozen=True)
class Limit:
    kind: str
    max_failures: int
    window_seconds: int


def limits() -> tuple[Limit, Limit]:
    """The account and address limits (read each call, so tests and operators can tune them)."""
    window = int(os.environ.get("PLANTOPS_LOGIN_WINDOW", "900"))
    return (Limit("account", int(os.environ.get("PLANTOPS_LOGIN_MAX_PER_ACCOUNT", "5")), window),
            Limit("address", int(os.environ.get("PLANTOPS_LOGIN_MAX_PER_ADDRESS", "30")), window))


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def _keys(email: str, address: str | None) -> list[tuple[Limit, str]]:
    account, per_address = limits()
    found = [(account, _key("account", email))]
    if address:
        found.append((per_address, _key("address", address)))
    return found


def check_login_allowed(email: str, address: str | None) -> None:
    """Raise 429 (with the seconds to wait) when the account or the address is locked."""
    client = kv.client()
    for limit, key in _keys(email, address):
        count = int(client.get(key) or 0)
        if count >= limit.max_failures:
            wait = max(1, int(client.ttl(key)))
            what = "this account" if limit.kind == "account" else "your address"
            raise TooManyRequests(
                f"too many failed logins for {what}; try again in {wait} seconds", wait, "email")


def record_failure(email: str, address: str | None) -> None:
    """Count one failed attempt against the account and the address."""
    client = kv.client()
    for limit, key in _keys(email, address):
        client.eval(_INCR_WITH_WINDOW, 1, key, limit.window_seconds)


def clear_account(email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    kv.client().delete(_key("account", email))
