"""SES complaints (a recipient marked the email as spam): recorded, status unchanged, complaint callback.

Notify (app/notifications/notifications_ses_callback.py handle_complaint) stores a `complaints` row
for the notification and tells the service through its complaint callback. The row's id is derived
from SES's feedback id, so a complaint delivered twice (SNS delivers at least once) is one row and
one callback.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from notify_shared.callback_messages import COMPLAINT_CALLBACK, complaint_envelope
from notify_shared.crypto import SecretBox
from notify_shared.envelope import Envelope
from notify_shared.receiver_models import Complaint

from .notification_lookup import HISTORY, NOTIFICATIONS, find_notification, has_callback, snapshot_of
from .outcomes import COMPLAINT_DUPLICATE, COMPLAINT_RESULT, NOT_FOUND, ReceiptOutcome


def complaint_id(envelope: Envelope, reference: str | None) -> uuid.UUID:
    key = envelope.payload.get("complaint_feedback_id") or envelope.payload.get("sns_message_id") or reference
    return uuid.uuid5(uuid.NAMESPACE_URL, f"notify:ses-complaint:{key}")


def complaint_date(envelope: Envelope) -> datetime:
    raw = envelope.payload.get("complaint_timestamp")
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_complaint(session: Session, box: SecretBox, envelope: Envelope, reference: str | None) -> ReceiptOutcome:
    """Store the complaint and build its callback. Runs inside the caller's transaction; no network."""
    row = find_notification(session, NOTIFICATIONS, None, reference)
    live = row is not None
    if row is None:
        row = find_notification(session, HISTORY, None, reference)
    if row is None:
        return ReceiptOutcome(NOT_FOUND)

    cid = complaint_id(envelope, reference)
    when = complaint_date(envelope)
    inserted = session.execute(
        insert(Complaint).values(
            id=cid, notification_id=row.id, service_id=row.service_id,
            ses_feedback_id=envelope.payload.get("complaint_feedback_id"),
            complaint_type=envelope.payload.get("complaint_feedback_type"), complaint_date=when,
        ).on_conflict_do_nothing(index_elements=[Complaint.id]).returning(Complaint.id)
    ).first()
    if inserted is None:
        return ReceiptOutcome(COMPLAINT_DUPLICATE, str(row.id), row.status, row.status)

    callbacks: tuple[Envelope, ...] = ()
    # Past retention only notification_history is left, which has no recipient to report.
    if live and has_callback(session, row.service_id, COMPLAINT_CALLBACK):
        callbacks = (complaint_envelope(snapshot_of(row), box, complaint_id=cid, complaint_date=when,
                                        request_id=envelope.request_id),)
    return ReceiptOutcome(COMPLAINT_RESULT, str(row.id), row.status, row.status, callbacks)
