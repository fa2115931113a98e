"""Domain errors raised by services; the web layer maps each to an HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``message`` is shown to the user; ``field`` names the offending input."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The request is well formed but a value breaks a rule (422)."""

    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The request clashes with existing data, e.g. a duplicate key (409)."""

    status = 409


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class PaymentRequired(DomainError):
    """The subscription does not allow this (402): the message says why and where to pay."""

    status = 402


class TooManyRequests(DomainError):
    """Too many attempts (429); ``retry_after`` is the number of seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after
