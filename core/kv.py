"""The Redis client for small shared state (rate-limit counters); the broker has its own."""

from __future__ import annotations

import redis

_client: redis.Redis | None = None


def configure(url: str) -> redis.Redis:
    """Create the process-wide client for ``url`` (idempotent)."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(url)
    return _client


def client() -> redis.Redis:
    """The configured client; fails loudly when the broker set-up has not run."""
    if _client is None:
        raise RuntimeError("core.kv.configure() has not been called")
    return _client
