"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import InvalidInput

_hasher = PasswordHasher()
MIN_LENGTH = 10
#: A few passwords that meet the length rule yet appear at the top of every breach list.
_COMMON = {"password123", "1234567890", "qwertyuiop", "letmein123", "welcome123", "passw0rd12"}
# A hash to verify against when the email is unknown, so both failures take as long.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


def check_password_rules(password: str, email: str = "") -> None:
    """Raise :class:`InvalidInput` naming the first rule ``password`` breaks."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_LENGTH} characters long", "password")
    if not any(c.isalpha() for c in password) or not any(not c.isalpha() for c in password):
        raise InvalidInput(
            "password must mix letters with digits or symbols", "password"
        )
    if password.lower() in _COMMON:
        raise InvalidInput("password is too common", "password")
    local = email.split("@")[0].lower()
    if len(local) >= 4 and local in password.lower():
        raise InvalidInput("password must not contain the email name", "password")


def hash_password(password: str) -> str:
    """An argon2id hash with the library's current parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; spends the same effort when there is no hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
