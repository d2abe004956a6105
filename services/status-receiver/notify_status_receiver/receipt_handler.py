"""What the receipts worker does with a batch of delivery-receipts messages.

Receipts are applied together (receipt_batches.py), inbound texts stored one by one (inbound.py);
only after those transactions have committed does it publish the callbacks they imply and re-queue
receipts whose notification is not there yet. Raising means "this batch was not handled": the
consumer then hands the messages over one at a time, and applying a receipt twice is a no-op.
"""
from __future__ import annotations

import time
from collections.abc import Sequence

from prometheus_client import Counter

from notify_shared import queues
from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus, PublishError
from notify_shared.callback_messages import CALLBACK_TYPE_FOR_KIND
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.logging import bound, get_logger

from .config import ReceiverConfig
from .dead_letters import record_dead_letter
from .inbound import STORED, InboundOutcome, store_inbound_sms
from .inbound_messages import INBOUND_SMS_KIND
from .outcomes import (
    COMPLAINT_DUPLICATE,
    COMPLAINT_RESULT,
    DUPLICATE,
    IGNORED_RESULT,
    NOT_FOUND,
    UPDATED,
    ReceiptOutcome,
)
from .receipt_batches import apply_receipts

log = get_logger(__name__)

RECEIPTS = Counter("notify_receipts_total", "Provider receipts processed", ["provider", "result", "status"])
INBOUND = Counter("notify_inbound_sms_total", "Inbound texts processed", ["provider", "result"])


class ReceiptHandler:
    def __init__(self, db: Database, bus: Bus, box: SecretBox, config: ReceiverConfig, *,
                 callback_publish_pauses: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)):
        self.db = db
        self.bus = bus
        self.box = box
        self.config = config
        self.callback_publish_pauses = callback_publish_pauses

    def __call__(self, envelope: Envelope) -> None:
        """One message (the shared Consumer's handler interface)."""
        self.handle_batch([envelope])

    def handle_batch(self, envelopes: Sequence[Envelope]) -> None:
        receipts = [e for e in envelopes if e.kind != INBOUND_SMS_KIND]
        outcomes = apply_receipts(self.db, self.box, receipts) if receipts else []
        inbound = [(e, store_inbound_sms(self.db, self.box, e)) for e in envelopes if e.kind == INBOUND_SMS_KIND]

        not_found: list[Envelope] = []
        for envelope, outcome in zip(receipts, outcomes, strict=True):
            with bound(notification_id=outcome.notification_id or envelope.notification_id,
                       request_id=envelope.request_id, message_id=envelope.message_id):
                self._log_receipt(envelope, outcome)
                for callback in outcome.callbacks:
                    self._publish_callback(callback)
            if outcome.result == NOT_FOUND:
                not_found.append(envelope)
        for envelope, outcome in inbound:
            with bound(request_id=envelope.request_id, message_id=envelope.message_id):
                self._log_inbound(envelope, outcome)
                for callback in outcome.callbacks:
                    self._publish_callback(callback)
        # Last: if the bus is down this raises, and everything above is already done and idempotent.
        for envelope in not_found:
            with bound(request_id=envelope.request_id, message_id=envelope.message_id):
                self._retry_not_found(envelope)

    def _log_receipt(self, envelope: Envelope, outcome: ReceiptOutcome) -> None:
        provider = envelope.payload.get("provider")
        provider_status = envelope.payload.get("status") or envelope.payload.get("event_type")
        RECEIPTS.labels(str(provider), outcome.result, str(outcome.status)).inc()
        if outcome.result == UPDATED:
            log.info("receipt_applied", notification_id=outcome.notification_id, provider=provider,
                     previous_status=outcome.previous_status, status=outcome.status)
        elif outcome.result == DUPLICATE:
            log.info("receipt_ignored_not_forward", notification_id=outcome.notification_id, provider=provider,
                     current_status=outcome.status, provider_status=provider_status)
        elif outcome.result == COMPLAINT_RESULT:
            log.warning("ses_complaint_received", notification_id=outcome.notification_id,
                        feedback_type=envelope.payload.get("complaint_feedback_type"))
        elif outcome.result == COMPLAINT_DUPLICATE:
            log.info("ses_complaint_already_recorded", notification_id=outcome.notification_id)
        elif outcome.result == IGNORED_RESULT:
            log.info("receipt_ignored_event", provider=provider, event_type=envelope.payload.get("event_type"))

    def _log_inbound(self, envelope: Envelope, outcome: InboundOutcome) -> None:
        provider = envelope.payload.get("provider")
        INBOUND.labels(str(provider), outcome.result).inc()
        fields = {"provider": provider, "inbound_sms_id": outcome.inbound_sms_id, "service_id": outcome.service_id,
                  "notify_number": outcome.notify_number or envelope.payload.get("notify_number")}
        if outcome.result == STORED:
            log.info("inbound_sms_stored", callback=bool(outcome.callbacks), **fields)
        elif outcome.result == "already_stored":
            log.info("inbound_sms_already_stored", **fields)
        else:
            # Notify: "Inbound number ... not associated with exactly one service" and the permission case.
            log.warning(f"inbound_sms_dropped_{outcome.result}", reason=outcome.reason, **fields)

    def _retry_not_found(self, envelope: Envelope) -> None:
        # The receipt can beat the sender's commit of the provider reference; give it a little time.
        provider = envelope.payload.get("provider")
        reference = envelope.payload.get("reference")
        if envelope.attempt + 1 >= self.config.receipt_not_found_max_attempts:
            log.warning("receipt_dropped_notification_not_found", provider=provider, reference=reference,
                        attempts=envelope.attempt + 1)
            return
        delay = min(self.config.receipt_retry_delay_seconds * (2 ** envelope.attempt), SQS_MAX_DELAY_SECONDS)
        log.info("receipt_notification_not_found_retrying", provider=provider, reference=reference,
                 attempt=envelope.attempt + 1, delay_seconds=delay)
        self.bus.publish(queues.DELIVERY_RECEIPTS, envelope.next_attempt(), delay_seconds=delay)

    def _publish_callback(self, callback: Envelope) -> None:
        # The change is committed; a receipt redelivered now would be a no-op, so a callback message
        # that cannot be published is retried a few times, then kept as a dead letter for replay.
        last_error = ""
        for pause in self.callback_publish_pauses:
            time.sleep(pause)
            try:
                self.bus.publish(queues.SERVICE_CALLBACKS, callback)
            except PublishError as exc:
                last_error = str(exc)
                continue
            log.info("callback_queued", kind=callback.kind, notification_id=callback.notification_id,
                     status=callback.payload.get("status"))
            return
        log.error("callback_not_queued_publish_failed", kind=callback.kind, notification_id=callback.notification_id,
                  error=last_error)
        record_dead_letter(self.db, self.box, callback, service_id=callback.payload["service_id"],
                           callback_type=CALLBACK_TYPE_FOR_KIND[callback.kind],
                           last_error=f"not queued: {last_error}", attempts=0)
