"""Who is acting and in which request: context variables the web layer (or a job) sets and
the audit capture reads, so services need no extra parameters to be audited.

Context variables follow the request's task and are copied into the worker threads that
run synchronous handlers (anyio), and every request is its own task, so nothing leaks
from one request into the next.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person (and how they came: an email, ``api-key pk_…``, ``job …``) behind a change."""

    user_id: uuid.UUID | None
    label: str


request_id: ContextVar[str | None] = ContextVar("plantops_request_id", default=None)
actor: ContextVar[Actor | None] = ContextVar("plantops_actor", default=None)


@contextmanager
def acting(who: Actor | None, request: str | None) -> Iterator[None]:
    """Set actor and request id for the block (jobs, CLI), restoring them afterwards."""
    actor_token, request_token = actor.set(who), request_id.set(request)
    try:
        yield
    finally:
        actor.reset(actor_token)
        request_id.reset(request_token)
