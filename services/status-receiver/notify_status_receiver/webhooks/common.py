"""What every receipt webhook shares: field validation, Basic auth and the hand-off to the bus.

A webhook never touches the database: it validates, publishes to delivery-receipts and answers at
once, so a slow database cannot make providers time out and retry in bulk (DESIGN §3).
"""
from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from flask import request

from notify_shared import queues
from notify_shared.bus import Bus, PublishError
from notify_shared.crypto import constant_time_equals
from notify_shared.envelope import Envelope
from notify_shared.errors import AuthError, BadRequestError, ServiceUnavailableError
from notify_shared.logging import get_logger

log = get_logger(__name__)


class CallbackValidationError(BadRequestError):
    """Notify answers a bad receipt with every problem at once, one error entry per message."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages

    def errors(self) -> list[dict[str, Any]]:
        return [{"error": self.error, "message": m} for m in self.messages]


def require_fields(data: Mapping[str, Any], fields: Iterable[str], client_name: str) -> None:
    """Notify's check: a field that is absent or renders as an empty string is missing."""
    missing = [f"{client_name} callback failed: {f} missing" for f in fields
               if data.get(f) is None or str(data.get(f)) == ""]
    if missing:
        raise CallbackValidationError(missing)


def as_uuid(value: object) -> str | None:
    """Our own notification id when the provider echoes it back (MMG CID, Firetext reference)."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError):
        return None


def text_or_none(value: object) -> str | None:
    return None if value is None or str(value) == "" else str(value)


class BasicAuth:
    """Basic auth for provider webhooks (credentials are embedded in the URL we give MMG/Firetext).

    Optional (no credentials configured: anyone may post) unless `required`, as on the inbound-SMS
    webhooks, where Notify answers 401 without credentials and 403 with wrong ones even when none
    are configured.
    """

    def __init__(self, credentials: Iterable[str], *, required: bool = False):
        self.credentials = tuple(credentials)
        self.required = required

    def check(self) -> None:
        if not self.credentials and not self.required:
            return
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise AuthError("Unauthorized, authentication required", status_code=401)
        try:
            presented = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthError("Unauthorized, authentication required", status_code=401) from exc
        # Compare against every configured pair so the time taken does not reveal which one matched.
        matched = [constant_time_equals(presented, expected) for expected in self.credentials]
        if not any(matched):
            raise AuthError("Forbidden, invalid credentials", status_code=403)


class ReceiptPublisher:
    def __init__(self, bus: Bus):
        self.bus = bus
        # Built once: a kombu Queue per request was a few percent of a receipt's CPU.
        self.queue = bus.queue(queues.DELIVERY_RECEIPTS)

    def publish(self, envelope: Envelope) -> None:
        """Put a receipt on delivery-receipts, or answer 503 so the provider retries it later."""
        try:
            self.bus.publish_to(self.queue, envelope)
        except PublishError as exc:
            log.error("receipt_publish_failed", kind=envelope.kind, notification_id=envelope.notification_id,
                      reference=envelope.payload.get("reference"), error=str(exc))
            raise ServiceUnavailableError("Receipt not accepted, try again later", retry_after=5) from exc
        log.info("receipt_accepted", kind=envelope.kind, notification_id=envelope.notification_id,
                 provider=envelope.payload.get("provider"), reference=envelope.payload.get("reference"),
                 provider_status=envelope.payload.get("status") or envelope.payload.get("event_type"))


def request_id() -> str:
    return request.environ.get("notify.request_id") or str(uuid.uuid4())
