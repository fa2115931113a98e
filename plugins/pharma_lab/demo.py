"""Demo data (filled in below)."""

from __future__ import annotations

import uuid


def seed(tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Placeholder."""
