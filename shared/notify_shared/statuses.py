"""Notification statuses and the only moves between them, as GOV.UK Notify defines them."""
from __future__ import annotations

CREATED = "created"
SENDING = "sending"
PENDING = "pending"
SENT = "sent"
DELIVERED = "delivered"
PERMANENT_FAILURE = "permanent-failure"
TEMPORARY_FAILURE = "temporary-failure"
TECHNICAL_FAILURE = "technical-failure"
PENDING_VIRUS_CHECK = "pending-virus-check"
VALIDATION_FAILED = "validation-failed"
VIRUS_SCAN_FAILED = "virus-scan-failed"
CANCELLED = "cancelled"
RETURNED_LETTER = "returned-letter"

ALL_STATUSES = (
    CREATED, SENDING, PENDING, SENT, DELIVERED, PERMANENT_FAILURE, TEMPORARY_FAILURE,
    TECHNICAL_FAILURE, PENDING_VIRUS_CHECK, VALIDATION_FAILED, VIRUS_SCAN_FAILED, CANCELLED,
    RETURNED_LETTER,
)

FAILURE_STATUSES = (
    TECHNICAL_FAILURE, TEMPORARY_FAILURE, PERMANENT_FAILURE, VALIDATION_FAILED,
    VIRUS_SCAN_FAILED, RETURNED_LETTER,
)
FINAL_STATUSES = (DELIVERED, CANCELLED) + FAILURE_STATUSES

# A receipt may only move a notification out of these (Notify's receipt worker uses the same set).
RECEIPT_UPDATABLE = (CREATED, SENDING, PENDING, SENT, PENDING_VIRUS_CHECK)

SMS = "sms"
EMAIL = "email"
LETTER = "letter"
NOTIFICATION_TYPES = (SMS, EMAIL, LETTER)

KEY_TYPE_NORMAL = "normal"
KEY_TYPE_TEAM = "team"
KEY_TYPE_TEST = "test"
KEY_TYPES = (KEY_TYPE_NORMAL, KEY_TYPE_TEAM, KEY_TYPE_TEST)

_RANK = {
    CREATED: 0,
    PENDING_VIRUS_CHECK: 0,
    SENDING: 1,
    SENT: 2,
    PENDING: 2,
}


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


def can_transition(current: str, new: str) -> bool:
    """Forward-only: never leave a final status, never step back (e.g. `pending` after `delivered`)."""
    if current == new or is_final(current):
        return False
    if is_final(new):
        return current in RECEIPT_UPDATABLE
    return _RANK.get(new, -1) > _RANK.get(current, 99)
