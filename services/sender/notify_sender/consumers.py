"""Handling one send envelope: claim, prepare, hand over, record.

The order is the point (DESIGN §3, Notify PR #3408): the claim transaction reads everything the
send needs and closes; rendering and the provider call run with no session open; the result goes
back in a new short transaction. Those transactions are shared: one writer thread (batching.py)
claims and records for every send that is waiting, in one transaction per round. A retryable failure
releases the claim and re-publishes the envelope with a delay; a permanent one, or an exhausted retry
budget, is a technical-failure.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formataddr
from typing import TypeVar

from notify_shared import queues
from notify_shared.bus import Bus, PublishError
from notify_shared.crypto import SecretBox
from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.envelope import Envelope
from notify_shared.logging import bound, get_logger
from notify_shared.recipients import InvalidRecipient, format_email_domain_for_sending, validate_phone_number
from notify_shared.statuses import KEY_TYPE_TEST, SENDING, SENT, SMS

from . import claims, deferred_records, metrics
from .batching import BatchWriter
from .billing import sms_rate
from .claims import ClaimedNotification, ClaimRequest, NotClaimed, SentRecord
from .config import SenderConfig
from .provider_errors import ProviderErrorMonitor
from .providers.base import (
    EmailProvider,
    EmailRequest,
    PermanentProviderError,
    ProviderError,
    RetryableProviderError,
    SmsProvider,
    SmsRequest,
)
from .providers.registry import Providers
from .rendering import RenderError, decrypt_personalisation, render_email, render_sms
from .retry import RetryPolicy
from .selection import ProviderDirectory, provider_order

log = get_logger(__name__)

# Notify's smoke-test recipients: they never reach a real provider, whatever the key type.
SIMULATED_SMS_NUMBERS = frozenset({"447700900000", "447700900111", "447700900222"})
SIMULATED_EMAIL_ADDRESSES = frozenset({
    "simulate-delivered@notifications.service.gov.uk",
    "simulate-delivered-2@notifications.service.gov.uk",
    "simulate-delivered-3@notifications.service.gov.uk",
})
# Notify's default SMS sender when a service has none.
DEFAULT_SMS_SENDER = "GOVUK"

T = TypeVar("T")


class SendRefused(Exception):
    """This notification can never be sent as it is (inactive service, bad data): technical-failure."""


@dataclass(frozen=True)
class Delivery:
    """What to hand over and where, decided with no database session open."""

    simulated: bool
    sms: SmsRequest | None = None
    email: EmailRequest | None = None
    billable_units: int = 0


class SendHandler:
    def __init__(self, *, db: Database, bus: Bus, box: SecretBox, providers: Providers,
                 directory: ProviderDirectory, retry: RetryPolicy, config: SenderConfig,
                 errors: ProviderErrorMonitor, sleep: Callable[[float], None] = time.sleep):
        self.db = db
        # Claims and results of all sends in flight share short transactions (batching.py).
        self.writer: BatchWriter[ClaimRequest | SentRecord, object] = BatchWriter("database", self._write_round)
        self.errors = errors
        self.bus = bus
        self.box = box
        self.providers = providers
        self.directory = directory
        self.retry = retry
        self.config = config
        self.sleep = sleep

    def __call__(self, envelope: Envelope, queue: str) -> None:
        try:
            notification_id = uuid.UUID(str(envelope.notification_id))
        except ValueError:
            log.error("send_envelope_dropped", reason="notification_id is not a UUID", message_id=envelope.message_id,
                      kind=envelope.kind)
            return
        with bound(notification_id=str(notification_id), request_id=envelope.request_id,
                   message_id=envelope.message_id, attempt=envelope.attempt):
            if envelope.kind == deferred_records.RECORD_SENT_KIND:
                self.apply_deferred_record(envelope)
            else:
                self.send(notification_id, envelope, queue)

    def close(self) -> None:
        """After the consumer has stopped: finish queued claims and results."""
        self.writer.close()

    def _write_round(self, items: Sequence[ClaimRequest | SentRecord]) -> list[object]:
        """One transaction for the results and the claims that queued up together (one commit, not two)."""
        records = [i for i, item in enumerate(items) if isinstance(item, SentRecord)]
        wanted = [i for i, item in enumerate(items) if isinstance(item, ClaimRequest)]
        results: list[object] = [None] * len(items)
        with self.db.session() as session:
            # Results first: they only touch rows this process holds, so they never wait on a claim.
            if records:
                for index, recorded in zip(records, claims.record_in(session, [items[i] for i in records]),
                                           strict=True):
                    results[index] = recorded
            if wanted:
                for index, claimed in zip(wanted, claims.claim_in(session, [items[i] for i in wanted]),
                                          strict=True):
                    results[index] = claimed
        return results

    def send(self, notification_id: uuid.UUID, envelope: Envelope, queue: str) -> None:
        claimed = self.writer.submit(ClaimRequest(notification_id, envelope.attempt))
        if isinstance(claimed, NotClaimed):
            metrics.CLAIMS.labels(claimed.reason).inc()
            metrics.DUPLICATES.inc()
            log.info("send_skipped_already_handled", reason=claimed.reason, status=claimed.status,
                     send_attempts=claimed.send_attempts, queue=queue)
            return
        metrics.CLAIMS.labels("claimed").inc()
        try:
            delivery = self.prepare(claimed, queue)
            order = provider_order(self.directory.active(claimed.notification_type),
                                   international=claimed.international)
        except SendRefused as exc:
            self.fail(claimed, str(exc))
            return
        except Exception:
            # Nothing was handed over: give the claim back so the re-published attempt can take it.
            self._release_quietly(claimed)
            raise
        try:
            sent_by, provider_reference = self.hand_over(claimed, delivery, order)
        except PermanentProviderError as exc:
            self.fail(claimed, str(exc))
            return
        except RetryableProviderError as exc:
            self.retry_later(claimed, envelope, queue, str(exc))
            return
        self.record(claimed, delivery, sent_by, provider_reference, envelope, queue)

    # -- preparing: pure work on the claimed data, no session, no network -----------------------

    def prepare(self, claimed: ClaimedNotification, queue: str) -> Delivery:
        if not claimed.service_active:
            raise SendRefused("service is inactive")  # Notify: technical-failure, never sent
        if claimed.template_content is None:
            raise SendRefused("template version not found")
        try:
            personalisation = decrypt_personalisation(self.box, claimed.personalisation)
            if claimed.notification_type == SMS:
                return self._prepare_sms(claimed, personalisation, queue)
            return self._prepare_email(claimed, personalisation, queue)
        except (RenderError, InvalidRecipient) as exc:
            raise SendRefused(f"{type(exc).__name__}: {exc}") from exc

    def _simulated(self, claimed: ClaimedNotification, queue: str, recipient_is_simulated: bool) -> bool:
        return claimed.key_type == KEY_TYPE_TEST or queue == queues.RESEARCH_MODE or recipient_is_simulated

    def _prepare_sms(self, claimed: ClaimedNotification, personalisation: dict, queue: str) -> Delivery:
        # The API validated the number; providers want it as digits without "+" (447700900123).
        to, _ = validate_phone_number(claimed.to, international=True)
        rendered = render_sms(claimed.template_content or "", personalisation, service_name=claimed.service_name,
                              prefix=claimed.prefix_sms)
        sender = claimed.reply_to_text or claimed.default_sms_sender or DEFAULT_SMS_SENDER
        sms = SmsRequest(notification_id=str(claimed.id), to=to, content=rendered.content, sender=sender,
                         international=claimed.international)
        return Delivery(simulated=self._simulated(claimed, queue, to in SIMULATED_SMS_NUMBERS), sms=sms,
                        billable_units=rendered.fragments)

    def _prepare_email(self, claimed: ClaimedNotification, personalisation: dict, queue: str) -> Delivery:
        rendered = render_email(claimed.template_subject, claimed.template_content or "", personalisation)
        try:
            to = format_email_domain_for_sending(claimed.to.strip())
            sender_address = format_email_domain_for_sending(
                f"{claimed.email_sender_local_part}@{self.config.email_domain}")
            reply_to = claimed.reply_to_text or claimed.default_reply_to
            reply_to = format_email_domain_for_sending(reply_to.strip()) if reply_to else None
        except (UnicodeError, ValueError) as exc:
            raise InvalidRecipient("address cannot be encoded for sending") from exc
        headers: tuple[tuple[str, str], ...] = ()
        if claimed.one_click_unsubscribe_url:
            # RFC 8058 one-click unsubscribe, as Notify adds it.
            headers = (("List-Unsubscribe", f"<{claimed.one_click_unsubscribe_url}>"),
                       ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        email = EmailRequest(
            notification_id=str(claimed.id),
            from_address=formataddr((claimed.service_name, sender_address)),
            to=to, subject=rendered.subject, text_body=rendered.text_body, html_body=rendered.html_body,
            reply_to=reply_to, headers=headers,
        )
        simulated = self._simulated(claimed, queue, claimed.to.strip().lower() in SIMULATED_EMAIL_ADDRESSES)
        return Delivery(simulated=simulated, email=email)

    # -- handing over: network only, no session ------------------------------------------------

    def hand_over(self, claimed: ClaimedNotification, delivery: Delivery, order: list[str]) -> tuple[str, str]:
        """Try providers in order, failing over on retryable errors. Returns (provider, reference)."""
        notification_type = claimed.notification_type
        last_error: ProviderError | None = None
        for name in order:
            client = self._client(name, delivery)
            if client is None:
                continue  # a provider row this build has no client for
            try:
                return name, self._call_provider(client, delivery)
            except RetryableProviderError as exc:
                last_error = exc
                if delivery.sms is not None and not delivery.simulated:
                    self.errors.record_error(name)  # error-burst re-weighting counts live SMS providers
                log.warning("provider_send_failed", provider=name, simulated=delivery.simulated, error=str(exc))
        if last_error is not None:
            raise last_error
        raise RetryableProviderError(notification_type, f"no active {notification_type} provider"
                                     + (" supports international" if claimed.international else ""))

    def _client(self, name: str, delivery: Delivery) -> SmsProvider | EmailProvider | None:
        if delivery.sms is not None:
            return self.providers.sms(name, simulated=delivery.simulated)
        return self.providers.email(name, simulated=delivery.simulated)

    def _call_provider(self, client: SmsProvider | EmailProvider, delivery: Delivery) -> str:
        started = time.perf_counter()
        outcome = "error"
        try:
            if isinstance(client, SmsProvider) and delivery.sms is not None:
                reference = client.send_sms(delivery.sms)
            elif isinstance(client, EmailProvider) and delivery.email is not None:
                reference = client.send_email(delivery.email)
            else:
                raise TypeError(f"{client.name} cannot send this delivery")
            outcome = "sent"
            return reference
        except PermanentProviderError:
            outcome = "rejected"
            raise
        finally:
            metrics.PROVIDER_LATENCY.labels(client.name).observe(time.perf_counter() - started)
            metrics.PROVIDER_CALLS.labels(client.name, str(delivery.simulated).lower(), outcome).inc()

    # -- recording: one short transaction each ------------------------------------------------

    def record(self, claimed: ClaimedNotification, delivery: Delivery, sent_by: str, provider_reference: str,
               envelope: Envelope, queue: str) -> None:
        # Notify stores our own id as the SMS reference (providers echo it on receipts) and SES's MessageId.
        reference = str(claimed.id) if claimed.notification_type == SMS else provider_reference
        # International texts get no delivery receipts from most networks: Notify marks them `sent`.
        status = SENT if claimed.notification_type == SMS and claimed.international else SENDING
        facts = SentRecord.for_claim(claimed, reference, sent_by, delivery.billable_units, status)
        if delivery.sms is not None and claimed.international:
            rate = sms_rate(delivery.sms.to, international=True)
            if rate.rate_multiplier is None:
                log.warning("international_rate_unknown", prefix=delivery.sms.to[:4])
            facts = SentRecord.for_claim(claimed, reference, sent_by, delivery.billable_units, status,
                                         phone_prefix=rate.phone_prefix, rate_multiplier=rate.rate_multiplier)
        try:
            recorded = self._with_db_retries(lambda: self.writer.submit(facts))
        except DB_UNAVAILABLE_ERRORS as exc:
            # Handed over but not written down: sending again would duplicate the message, so keep the facts.
            self._defer_record(facts, envelope, queue, type(exc).__name__)
            return
        if not recorded:
            log.warning("send_recorded_claim_lost", provider=sent_by, reference=reference)
        metrics.RESULTS.labels("sent").inc()
        if not delivery.simulated:
            metrics.CREATED_TO_SENT.labels(claimed.notification_type).observe(
                max(0.0, (datetime.now(UTC) - claimed.created_at).total_seconds()))
        log.info("notification_sent", provider=sent_by, simulated=delivery.simulated, reference=reference,
                 billable_units=delivery.billable_units, status=status)

    def _defer_record(self, facts: SentRecord, envelope: Envelope, queue: str, error: str) -> None:
        try:
            self.bus.publish(queue, deferred_records.envelope_for(facts, envelope.request_id),
                             delay_seconds=self.config.record_retry_delay_seconds)
        except PublishError as publish_error:
            # Database and bus both down: nothing durable is left to hold the facts. The stale-claim job
            # settles the row by its documented rule (docs/operations.md); billing misses this send.
            metrics.RESULTS.labels("sent_not_recorded").inc()
            log.error("send_not_recorded", provider=facts.sent_by, reference=facts.reference, error=error,
                      publish_error=str(publish_error))
            return
        metrics.RESULTS.labels("sent_record_deferred").inc()
        log.warning("send_record_deferred", provider=facts.sent_by, reference=facts.reference, error=error,
                    delay_seconds=self.config.record_retry_delay_seconds)

    def apply_deferred_record(self, envelope: Envelope) -> None:
        """Write facts an earlier send could not; a database error leaves the message for redelivery."""
        try:
            facts = deferred_records.record_from(envelope)
        except deferred_records.DeferredRecordError as exc:
            log.error("deferred_record_dropped", reason=str(exc))
            return
        recorded = self._with_db_retries(lambda: self.writer.submit(facts))
        metrics.RESULTS.labels("sent" if recorded else "sent_record_claim_lost").inc()
        log.info("deferred_record_written" if recorded else "deferred_record_claim_lost", provider=facts.sent_by,
                 reference=facts.reference)

    def retry_later(self, claimed: ClaimedNotification, envelope: Envelope, queue: str, reason: str) -> None:
        first_attempt_at = _parse_time(envelope.payload.get("first_attempt_at")) or claimed.claimed_at
        delay = self.retry.next_delay(envelope.attempt, first_attempt_at, datetime.now(UTC))
        if delay is None:
            self.fail(claimed, f"retry budget exhausted, last error: {reason}")
            return
        if not self._with_db_retries(lambda: claims.release_for_retry(self.db, claimed)):
            log.warning("send_retry_claim_lost", reason=reason)
            return
        retry = envelope.next_attempt(first_attempt_at=first_attempt_at.isoformat())
        try:
            self.bus.publish(queue, retry, delay_seconds=delay)
        except PublishError:
            # The claim is released; the message stays unacked and comes back (claims.py allows it).
            log.error("send_retry_not_published", reason=reason)
            raise
        metrics.RESULTS.labels("retry").inc()
        log.warning("send_retry_scheduled", reason=reason, delay_seconds=delay, next_attempt=retry.attempt)

    def fail(self, claimed: ClaimedNotification, reason: str) -> None:
        marked = self._with_db_retries(lambda: claims.mark_technical_failure(self.db, claimed))
        metrics.RESULTS.labels("technical_failure").inc()
        log.error("send_technical_failure", reason=reason, marked=marked)

    def _release_quietly(self, claimed: ClaimedNotification) -> None:
        try:
            claims.release_for_retry(self.db, claimed)
        except DB_UNAVAILABLE_ERRORS as exc:
            log.warning("claim_not_released", error=type(exc).__name__)

    def _with_db_retries(self, action: Callable[[], T], attempts: int = 3) -> T:
        """Ride out a short database blip after the claim: losing the result would cost a resend."""
        for attempt in range(attempts):
            try:
                return action()
            except DB_UNAVAILABLE_ERRORS as exc:
                if attempt == attempts - 1:
                    raise
                log.warning("database_unavailable_retrying", error=type(exc).__name__, attempt=attempt + 1)
                self.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
