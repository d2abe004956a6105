"""The messages on service-callbacks and the JSON bodies a service receives from them.

Bodies follow Notify's (alphagov/notifications-api app/celery/service_callback_tasks.py): every value
a string except `template_version`, times as `%Y-%m-%dT%H:%M:%S.%fZ` in UTC, `completed_at` being the
time of the status change. The recipient and the client reference are personal data, and envelopes
never carry personal data in the clear, so they travel sealed with the SECRET_KEY box; the rest is
a snapshot taken when the status changed, so a later retention purge cannot lose the callback.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from notify_shared.crypto import SecretBox
from notify_shared.envelope import Envelope

# service_callback_api.callback_type values
DELIVERY_STATUS_CALLBACK = "delivery_status"
COMPLAINT_CALLBACK = "complaint"
INBOUND_SMS_CALLBACK = "inbound_sms"

KIND_DELIVERY_STATUS = "delivery-status-callback"
KIND_COMPLAINT = "complaint-callback"
KIND_INBOUND_SMS = "inbound-sms-callback"
CALLBACK_TYPE_FOR_KIND = {KIND_DELIVERY_STATUS: DELIVERY_STATUS_CALLBACK, KIND_COMPLAINT: COMPLAINT_CALLBACK,
                          KIND_INBOUND_SMS: INBOUND_SMS_CALLBACK}

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class CallbackMessageError(ValueError):
    """A callback envelope we cannot turn into a body (wrong key, missing fields); it is dropped."""


def format_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(DATETIME_FORMAT)


@dataclass(frozen=True)
class NotificationSnapshot:
    """A notification row as it stands right after a receipt changed it."""

    id: uuid.UUID
    service_id: uuid.UUID
    status: str
    to: str
    client_reference: str | None
    notification_type: str
    template_id: uuid.UUID
    template_version: int
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime | None


def delivery_status_envelope(snapshot: NotificationSnapshot, box: SecretBox, *,
                             request_id: str | None = None) -> Envelope:
    return Envelope(
        kind=KIND_DELIVERY_STATUS,
        notification_id=str(snapshot.id),
        request_id=request_id,
        payload={
            "service_id": str(snapshot.service_id),
            "id": str(snapshot.id),
            "status": snapshot.status,
            "created_at": format_time(snapshot.created_at),
            "completed_at": format_time(snapshot.updated_at),
            "sent_at": format_time(snapshot.sent_at),
            "notification_type": snapshot.notification_type,
            "template_id": str(snapshot.template_id),
            "template_version": snapshot.template_version,
            "sealed": box.encrypt(json.dumps({"reference": snapshot.client_reference, "to": snapshot.to})),
        },
    )


def complaint_envelope(snapshot: NotificationSnapshot, box: SecretBox, *, complaint_id: uuid.UUID,
                       complaint_date: datetime, request_id: str | None = None) -> Envelope:
    return Envelope(
        kind=KIND_COMPLAINT,
        notification_id=str(snapshot.id),
        request_id=request_id,
        payload={
            "service_id": str(snapshot.service_id),
            "notification_id": str(snapshot.id),
            "complaint_id": str(complaint_id),
            "complaint_date": format_time(complaint_date),
            "sealed": box.encrypt(json.dumps({"reference": snapshot.client_reference, "to": snapshot.to})),
        },
    )


def inbound_sms_envelope(*, inbound_sms_id: uuid.UUID, service_id: uuid.UUID, source_number: str,
                         destination_number: str, message: str, date_received: datetime,
                         box: SecretBox, request_id: str | None = None) -> Envelope:
    """A received text for the service's inbound callback; the sender's number and the text travel sealed."""
    return Envelope(
        kind=KIND_INBOUND_SMS,
        request_id=request_id,
        payload={
            "service_id": str(service_id),
            "id": str(inbound_sms_id),
            "destination_number": destination_number,
            "date_received": format_time(date_received),
            "sealed": box.encrypt(json.dumps({"source_number": source_number, "message": message})),
        },
    )


def _unseal(payload: dict[str, Any], box: SecretBox) -> dict[str, Any]:
    try:
        sealed = json.loads(box.decrypt(str(payload["sealed"])))
    except (KeyError, ValueError) as exc:
        raise CallbackMessageError(f"sealed fields unreadable: {type(exc).__name__}") from exc
    if not isinstance(sealed, dict):
        raise CallbackMessageError("sealed fields are not an object")
    return sealed


def callback_body(envelope: Envelope, box: SecretBox) -> dict[str, Any]:
    """The JSON a service receives, in Notify's field order."""
    payload = envelope.payload
    sealed = _unseal(payload, box)
    try:
        if envelope.kind == KIND_DELIVERY_STATUS:
            return {
                "id": payload["id"],
                "reference": sealed.get("reference"),
                "to": sealed["to"],
                "status": payload["status"],
                "created_at": payload["created_at"],
                "completed_at": payload["completed_at"],
                "sent_at": payload["sent_at"],
                "notification_type": payload["notification_type"],
                "template_id": payload["template_id"],
                "template_version": payload["template_version"],
            }
        if envelope.kind == KIND_COMPLAINT:
            return {
                "notification_id": payload["notification_id"],
                "complaint_id": payload["complaint_id"],
                "reference": sealed.get("reference"),
                "to": sealed["to"],
                "complaint_date": payload["complaint_date"],
            }
        if envelope.kind == KIND_INBOUND_SMS:
            # Notify's send_inbound_sms_to_service body (app/celery/tasks.py).
            return {
                "id": payload["id"],
                "source_number": sealed["source_number"],
                "destination_number": payload["destination_number"],
                "message": sealed["message"],
                "date_received": payload["date_received"],
            }
    except KeyError as exc:
        raise CallbackMessageError(f"callback message has no {exc.args[0]}") from exc
    raise CallbackMessageError(f"unknown callback kind {envelope.kind!r}")
