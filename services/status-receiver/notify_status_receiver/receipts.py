"""Applying one provider receipt to its notification: forward-only, idempotent, callbacks after commit.

`apply_receipt` holds a database session and never talks to the network. The receipts worker
normally applies receipts in batches (receipt_batches.py) and falls back to this one-at-a-time path
for receipts the batch cannot settle (a notification past retention, a complaint, a row that moved
under it), so both paths share these rules.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, func, update
from sqlalchemy.orm import Session

from notify_shared.callback_messages import DELIVERY_STATUS_CALLBACK, delivery_status_envelope
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.logging import get_logger
from notify_shared.statuses import PENDING, can_transition, is_final

from .complaints import record_complaint
from .mapping import COMPLAINT, IGNORED, MappedStatus, map_receipt, resolve_status
from .notification_lookup import (
    HISTORY,
    NOTIFICATIONS,
    as_uuid,
    find_notification,
    has_callback,
    lookup_columns,
    snapshot_of,
)
from .outcomes import (  # noqa: F401 - the result names are part of this module's interface
    COMPLAINT_DUPLICATE,
    COMPLAINT_RESULT,
    DUPLICATE,
    IGNORED_RESULT,
    NOT_FOUND,
    UPDATED,
    ReceiptOutcome,
)

log = get_logger(__name__)

# Two receipts for one notification racing each other: re-read and decide again, a bounded number of times.
_MAX_UPDATE_ROUNDS = 3


def map_and_log(envelope: Envelope) -> MappedStatus:
    payload = envelope.payload
    mapped = map_receipt(payload)
    if not mapped.recognised:
        log.warning("receipt_status_unknown", provider=payload.get("provider"), reference=payload.get("reference"),
                    reason=mapped.reason, provider_status=payload.get("status") or payload.get("event_type"))
    return mapped


def _move_forward(session: Session, table: Table, row, mapped: MappedStatus, provider: str | None):
    """Conditionally update one row; returns (outcome result, final row). Never moves a status backwards."""
    for _ in range(_MAX_UPDATE_ROUNDS):
        target = resolve_status(mapped, row.status)
        if not can_transition(row.status, target):
            return DUPLICATE, row
        now = datetime.now(UTC)
        values = {"status": target, "updated_at": now}
        if is_final(target):
            values["completed_at"] = now
        if provider:
            values["sent_by"] = func.coalesce(table.c.sent_by, provider)
        # The WHERE on the status we read is what keeps this forward-only when receipts race: if
        # another receipt moved the row first, nothing is updated and we decide again from its status.
        statement = (update(table).where(table.c.id == row.id, table.c.status == row.status)
                     .values(**values).returning(*lookup_columns(table)))
        updated = session.execute(statement).first()
        if updated is not None:
            return UPDATED, updated
        row = find_notification(session, table, row.id, None)
        if row is None:
            return NOT_FOUND, None
    return DUPLICATE, row


def apply_mapped_receipt(db: Database, box: SecretBox, envelope: Envelope, mapped: MappedStatus) -> ReceiptOutcome:
    """Record one already-mapped receipt. Holds a session; never talks to the network."""
    payload = envelope.payload
    provider = payload.get("provider")
    reference = str(payload["reference"]) if payload.get("reference") else None
    if mapped.status == IGNORED:
        return ReceiptOutcome(IGNORED_RESULT)

    with db.session() as session:
        if mapped.status == COMPLAINT:
            return record_complaint(session, box, envelope, reference)

        notification_id = as_uuid(envelope.notification_id)
        for table in (NOTIFICATIONS, HISTORY):
            row = find_notification(session, table, notification_id, reference)
            if row is not None:
                break
        else:
            return ReceiptOutcome(NOT_FOUND)

        previous = row.status
        result, row = _move_forward(session, table, row, mapped, provider)
        if result != UPDATED:
            return ReceiptOutcome(result, str(row.id) if row else None, row.status if row else None, previous)

        callbacks: tuple[Envelope, ...] = ()
        # Past retention only notification_history is left, which has no recipient to report.
        if (table is NOTIFICATIONS and row.status != PENDING
                and has_callback(session, row.service_id, DELIVERY_STATUS_CALLBACK)):
            callbacks = (delivery_status_envelope(snapshot_of(row), box, request_id=envelope.request_id),)
        return ReceiptOutcome(UPDATED, str(row.id), row.status, previous, callbacks)


def apply_receipt(db: Database, box: SecretBox, envelope: Envelope) -> ReceiptOutcome:
    """Record one receipt in the database. Holds a session; never talks to the network."""
    return apply_mapped_receipt(db, box, envelope, map_and_log(envelope))
