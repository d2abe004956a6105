"""What applying one receipt came to; the receipts worker logs, counts and publishes from it."""
from __future__ import annotations

from dataclasses import dataclass, field

from notify_shared.envelope import Envelope

UPDATED = "updated"
DUPLICATE = "duplicate"
NOT_FOUND = "not_found"
IGNORED_RESULT = "ignored"
COMPLAINT_RESULT = "complaint"
COMPLAINT_DUPLICATE = "complaint_duplicate"


@dataclass(frozen=True)
class ReceiptOutcome:
    result: str
    notification_id: str | None = None
    status: str | None = None
    previous_status: str | None = None
    # Messages to publish once the transaction has committed.
    callbacks: tuple[Envelope, ...] = field(default_factory=tuple)
