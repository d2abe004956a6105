"""Hand-over facts that could not be written because the database was down.

Once a provider has the message, sending it again would duplicate it, so the facts (reference,
sent_by, billable units, international price) are the only thing left to keep. Instead of logging
them and losing them (billing reads them; receipts for email find the row by SES's message id), the
sender publishes them on the queue the send came from, delayed; whichever sender receives the
envelope writes them once the database answers. Until then the message is left on the bus, which
redelivers it. The write is the same conditional update as a live record: a row whose claim has
since changed (the stale-claim job took it back) is left alone.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notify_shared.envelope import Envelope

from .claims import SentRecord

RECORD_SENT_KIND = "record-sent"


class DeferredRecordError(ValueError):
    """An envelope of this kind whose payload is not a record we wrote: logged and dropped."""


def envelope_for(record: SentRecord, request_id: str | None) -> Envelope:
    return Envelope(
        kind=RECORD_SENT_KIND,
        notification_id=str(record.notification_id),
        request_id=request_id,
        payload={
            "claimed_at": record.claimed_at.isoformat(),
            "reference": record.reference,
            "sent_by": record.sent_by,
            "billable_units": record.billable_units,
            "status": record.status,
            "phone_prefix": record.phone_prefix,
            "rate_multiplier": record.rate_multiplier,
        },
    )


def record_from(envelope: Envelope) -> SentRecord:
    payload: dict[str, Any] = envelope.payload
    try:
        multiplier = payload.get("rate_multiplier")
        return SentRecord(
            notification_id=uuid.UUID(str(envelope.notification_id)),
            claimed_at=datetime.fromisoformat(payload["claimed_at"]),
            reference=str(payload["reference"]),
            sent_by=str(payload["sent_by"]),
            billable_units=int(payload["billable_units"]),
            status=str(payload["status"]),
            phone_prefix=payload.get("phone_prefix"),
            rate_multiplier=None if multiplier is None else float(multiplier),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DeferredRecordError(f"not a deferred record: {type(exc).__name__}: {exc}") from exc
