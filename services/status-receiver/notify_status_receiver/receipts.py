"""Applying provider receipts to notifications: forward-only, idempotent, callbacks after commit.

`apply_receipt` holds a database session and never talks to the network; `ReceiptHandler` (what the
receipts worker runs for each message) calls it, and only after its transaction has committed
publishes the callback or re-queues a receipt whose notification is not there yet.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import Counter
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from notify_shared import queues
from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus, PublishError
from notify_shared.callback_messages import (
    COMPLAINT_CALLBACK,
    DELIVERY_STATUS_CALLBACK,
    NotificationSnapshot,
    complaint_envelope,
    delivery_status_envelope,
)
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.logging import bound, get_logger
from notify_shared.models import Notification, NotificationHistory, ServiceCallbackApi
from notify_shared.statuses import PENDING, can_transition, is_final

from .config import ReceiverConfig
from .mapping import COMPLAINT, IGNORED, MappedStatus, map_receipt, resolve_status

log = get_logger(__name__)

NOTIFICATIONS: Table = Notification.__table__  # type: ignore[assignment]
HISTORY: Table = NotificationHistory.__table__  # type: ignore[assignment]
CALLBACK_APIS: Table = ServiceCallbackApi.__table__  # type: ignore[assignment]

UPDATED = "updated"
DUPLICATE = "duplicate"
NOT_FOUND = "not_found"
IGNORED_RESULT = "ignored"
COMPLAINT_RESULT = "complaint"

RECEIPTS = Counter("notify_receipts_total", "Provider receipts processed", ["provider", "result", "status"])

# Two receipts for one notification racing each other: re-read and decide again, a bounded number of times.
_MAX_UPDATE_ROUNDS = 3


@dataclass(frozen=True)
class ReceiptOutcome:
    result: str
    notification_id: str | None = None
    status: str | None = None
    previous_status: str | None = None
    # Messages to publish once the transaction has committed.
    callbacks: tuple[Envelope, ...] = field(default_factory=tuple)


def _as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def _lookup_columns(table: Table) -> list:
    columns = [table.c.id, table.c.service_id, table.c.status]
    if table is NOTIFICATIONS:
        columns += [table.c.to, table.c.client_reference, table.c.notification_type, table.c.template_id,
                    table.c.template_version, table.c.created_at, table.c.sent_at, table.c.updated_at]
    return columns


def _find(session: Session, table: Table, notification_id: uuid.UUID | None, reference: str | None):
    """By our id first (SMS providers echo it back), then by provider reference (SES message id)."""
    columns = _lookup_columns(table)
    if notification_id is not None:
        row = session.execute(select(*columns).where(table.c.id == notification_id)).first()
        if row is not None:
            return row
    if reference:
        return session.execute(select(*columns).where(table.c.reference == reference).limit(1)).first()
    return None


def _snapshot(row) -> NotificationSnapshot:
    return NotificationSnapshot(
        id=row.id, service_id=row.service_id, status=row.status, to=row.to, client_reference=row.client_reference,
        notification_type=row.notification_type, template_id=row.template_id,
        template_version=row.template_version, created_at=row.created_at, sent_at=row.sent_at,
        updated_at=row.updated_at,
    )


def _has_callback(session: Session, service_id: uuid.UUID, callback_type: str) -> bool:
    query = select(CALLBACK_APIS.c.id).where(CALLBACK_APIS.c.service_id == service_id,
                                             CALLBACK_APIS.c.callback_type == callback_type)
    return session.execute(query).first() is not None


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
                     .values(**values).returning(*_lookup_columns(table)))
        updated = session.execute(statement).first()
        if updated is not None:
            return UPDATED, updated
        row = _find(session, table, row.id, None)
        if row is None:
            return NOT_FOUND, None
    return DUPLICATE, row


def _complaint_date(envelope: Envelope) -> datetime:
    raw = envelope.payload.get("complaint_timestamp")
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _apply_complaint(session: Session, box: SecretBox, envelope: Envelope, reference: str | None) -> ReceiptOutcome:
    row = _find(session, NOTIFICATIONS, None, reference)
    if row is None:
        return ReceiptOutcome(NOT_FOUND)
    callbacks: tuple[Envelope, ...] = ()
    if _has_callback(session, row.service_id, COMPLAINT_CALLBACK):
        # One id per SES feedback report, so a redelivered complaint carries the same complaint_id.
        key = envelope.payload.get("complaint_feedback_id") or envelope.payload.get("sns_message_id") or reference
        complaint_id = uuid.uuid5(uuid.NAMESPACE_URL, f"notify:ses-complaint:{key}")
        callbacks = (complaint_envelope(_snapshot(row), box, complaint_id=complaint_id,
                                        complaint_date=_complaint_date(envelope), request_id=envelope.request_id),)
    return ReceiptOutcome(COMPLAINT_RESULT, str(row.id), row.status, row.status, callbacks)


def apply_receipt(db: Database, box: SecretBox, envelope: Envelope) -> ReceiptOutcome:
    """Record one receipt in the database. Holds a session; never talks to the network."""
    payload = envelope.payload
    provider = payload.get("provider")
    reference = payload.get("reference")
    reference = str(reference) if reference else None
    notification_id = _as_uuid(envelope.notification_id)
    mapped = map_receipt(payload)
    if not mapped.recognised:
        log.warning("receipt_status_unknown", provider=provider, reference=reference, reason=mapped.reason,
                    provider_status=payload.get("status") or payload.get("event_type"))
    if mapped.status == IGNORED:
        return ReceiptOutcome(IGNORED_RESULT, status=None)

    with db.session() as session:
        if mapped.status == COMPLAINT:
            return _apply_complaint(session, box, envelope, reference)

        for table in (NOTIFICATIONS, HISTORY):
            row = _find(session, table, notification_id, reference)
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
                and _has_callback(session, row.service_id, DELIVERY_STATUS_CALLBACK)):
            callbacks = (delivery_status_envelope(_snapshot(row), box, request_id=envelope.request_id),)
        return ReceiptOutcome(UPDATED, str(row.id), row.status, previous, callbacks)


class ReceiptHandler:
    """The receipts worker's message handler: apply, then publish what the change implies."""

    def __init__(self, db: Database, bus: Bus, box: SecretBox, config: ReceiverConfig):
        self.db = db
        self.bus = bus
        self.box = box
        self.config = config

    def __call__(self, envelope: Envelope) -> None:
        reference = envelope.payload.get("reference")
        provider = envelope.payload.get("provider")
        with bound(notification_id=envelope.notification_id, request_id=envelope.request_id,
                   message_id=envelope.message_id):
            outcome = apply_receipt(self.db, self.box, envelope)
            RECEIPTS.labels(str(provider), outcome.result, str(outcome.status)).inc()
            if outcome.result == UPDATED:
                log.info("receipt_applied", notification_id=outcome.notification_id, provider=provider,
                         previous_status=outcome.previous_status, status=outcome.status)
            elif outcome.result == DUPLICATE:
                log.info("receipt_ignored_not_forward", notification_id=outcome.notification_id, provider=provider,
                         current_status=outcome.status, provider_status=envelope.payload.get("status")
                         or envelope.payload.get("event_type"))
            elif outcome.result == COMPLAINT_RESULT:
                log.warning("ses_complaint_received", notification_id=outcome.notification_id,
                            feedback_type=envelope.payload.get("complaint_feedback_type"))
            elif outcome.result == NOT_FOUND:
                self._retry_not_found(envelope, reference, provider)
            elif outcome.result == IGNORED_RESULT:
                log.info("receipt_ignored_event", provider=provider, event_type=envelope.payload.get("event_type"))
            for callback in outcome.callbacks:
                self._publish_callback(callback)

    def _retry_not_found(self, envelope: Envelope, reference: object, provider: object) -> None:
        # The receipt can beat the sender's commit of the provider reference; give it a little time.
        if envelope.attempt + 1 >= self.config.receipt_not_found_max_attempts:
            log.warning("receipt_dropped_notification_not_found", provider=provider, reference=reference,
                        attempts=envelope.attempt + 1)
            return
        delay = min(self.config.receipt_retry_delay_seconds * (2 ** envelope.attempt), SQS_MAX_DELAY_SECONDS)
        log.info("receipt_notification_not_found_retrying", provider=provider, reference=reference,
                 attempt=envelope.attempt + 1, delay_seconds=delay)
        self.bus.publish(queues.DELIVERY_RECEIPTS, envelope.next_attempt(), delay_seconds=delay)

    def _publish_callback(self, callback: Envelope) -> None:
        # The status change is committed; a receipt redelivered now would be a no-op, so a callback
        # message that cannot be published is retried here a few times before it is given up.
        for pause in (0.0, 0.5, 1.0, 2.0):
            time.sleep(pause)
            try:
                self.bus.publish(queues.SERVICE_CALLBACKS, callback)
            except PublishError as exc:
                last_error = str(exc)
                continue
            log.info("callback_queued", kind=callback.kind, notification_id=callback.notification_id,
                     status=callback.payload.get("status"))
            return
        log.error("callback_lost_publish_failed", kind=callback.kind, notification_id=callback.notification_id,
                  error=last_error)
