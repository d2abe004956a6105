"""What the two inbound-SMS webhooks share: sealing the text and handing it to the receipts worker.

Why through the bus and not an INSERT in the request: the webhooks stay free of the database (no
pool in the web process, readiness depends on the bus alone, a slow or busy database never makes a
provider time out and retry), and the queue already holds the message durably before we answer 200.
The receipts worker looks the number up, stores the text (ON CONFLICT on the id chosen here, so a
redelivery stores it once) and queues the service's inbound callback. A text for a number no
service owns is therefore logged by the worker (`inbound_sms_dropped_unknown_number`); the provider
gets 200 either way, as Notify answers, so it does not retry forever.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from notify_shared import queues
from notify_shared.bus import Bus, PublishError
from notify_shared.crypto import SecretBox
from notify_shared.errors import ServiceUnavailableError
from notify_shared.logging import get_logger

from ..inbound_messages import InboundText, inbound_envelope
from .common import request_id

log = get_logger(__name__)


class InboundSmsPublisher:
    def __init__(self, bus: Bus, box: SecretBox):
        self.bus = bus
        self.box = box

    def publish(self, *, provider: str, notify_number: str, user_number: str, content: str,
                provider_reference: str | None, provider_date: datetime | None) -> uuid.UUID:
        """Queue one received text, or answer 503 so the provider sends it again later."""
        text = InboundText(
            inbound_sms_id=uuid.uuid4(), provider=provider, notify_number=notify_number, user_number=user_number,
            content=content, provider_reference=provider_reference, provider_date=provider_date,
            received_at=datetime.now(UTC),
        )
        try:
            self.bus.publish(queues.DELIVERY_RECEIPTS, inbound_envelope(text, self.box, request_id=request_id()))
        except PublishError as exc:
            log.error("inbound_sms_publish_failed", provider=provider, notify_number=notify_number, error=str(exc))
            raise ServiceUnavailableError("Inbound SMS not accepted, try again later", retry_after=5) from exc
        # The sender's number and the text are personal data: never logged.
        log.info("inbound_sms_accepted", provider=provider, inbound_sms_id=str(text.inbound_sms_id),
                 notify_number=notify_number, provider_reference=provider_reference)
        return text.inbound_sms_id
