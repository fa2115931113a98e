"""Quarantine: every new lot of a lot-tracked item starts in quarantine, and only a signed
QC decision takes it out.

With the plugin enabled, a lot becomes ``available`` only through a QC release and
``rejected`` only through a QC rejection, both signed (see :mod:`signatures`); a rejected
lot never changes again. Putting a lot on hold (``quarantine``) or marking it
``expired`` by hand stays open to the inventory writers, since both make a lot less
usable, never more. A receipt into an existing lot that QC already decided is refused:
new material is new material, and gets a new lot code and its own QC.
"""

from __future__ import annotations

from typing import Any

from core.inventory.move_types import LotRef, PlannedMove

#: Statuses only a signature may give.
SIGNED_STATUSES = ("available", "rejected")


def status_change_refusals(lot: LotRef, new_status: str) -> list[str]:
    """Why a hand-made status change is refused (empty: allowed)."""
    if lot.status == "rejected":
        return [f"lot {lot.code!r} was rejected by QC: its status cannot change any more"]
    if new_status in SIGNED_STATUSES:
        action = "release" if new_status == "available" else "reject"
        return [f"lot {lot.code!r} can be made {new_status} only by a QC {action} with an electronic "
                f"signature (POST /api/v1/pharma/lots/{lot.code}/{action}, role qa)"]
    return []


def receipt_refusals(move: PlannedMove | Any) -> list[str]:
    """A receipt (not a reversal) into a lot QC already decided on is refused."""
    lot = getattr(move, "lot", None)
    if move.kind != "receipt" or move.reverses_move_id is not None or lot is None:
        return []
    if lot.status in SIGNED_STATUSES:
        return [f"lot {lot.code!r} was already {'released' if lot.status == 'available' else 'rejected'} "
                f"by QC: receive new material under a new lot code"]
    return []
