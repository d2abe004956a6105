"""Sending letters: claim, render and store the PDF, count sheets, hand over to the print provider.

Same order as SMS and email (consumers.py): the claim transaction reads everything and closes;
rendering, storing and the print API call run with no session open; the result goes back in a new
short transaction through claims.record_sent. Retries and technical failures go through the send
handler's own retry_later / fail, so letters follow the same retry budget and claim rules.

The claim is claims.py's rule (created → sending, or a released `sending` row for the next attempt)
applied to letters: claims.CLAIM_BATCH only claims SMS and email, because those go through the SMS
and email provider clients.

Live letters wait for the daily collation (notify_shared.letters.collation, LETTER_COLLATION_TIME):
the claim only takes a live letter created before the latest cut-off. The API's message for a letter
created after it therefore finds nothing to claim; the sender renders and stores the PDF then (so the
API can serve it at once) and acks, leaving the row `created`. At the cut-off the scheduler's
collate-letters job publishes every due letter again, and that message hands it over. The database
row, not the message, carries the letter to its collation, so a lost or acked message loses nothing.

Test keys never reach the print provider: their letters go to the provider simulator's print API,
which answers the same way and sends a simulated print callback (Notify marks test-key letters
`sending` and fakes the DVLA response, app/celery/research_mode_tasks.py). They do not wait for the
collation: nothing is printed, so there is no print run to wait for.
"""
from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass
from datetime import date

import requests
from pypdf import PdfReader
from sqlalchemy import text

from notify_shared import templates
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.letters.collation import DEFAULT_LETTER_COLLATION_TIME, CollationTime
from notify_shared.letters.render import LetterContent, render_letter_pdf, sheets
from notify_shared.letters.store import PdfStore, pdf_store_from_env
from notify_shared.logging import bound, get_logger
from notify_shared.statuses import KEY_TYPE_TEST

from . import claims
from .claims import ClaimedNotification
from .consumers import SendHandler
from .rendering import RenderError, decrypt_personalisation

log = get_logger(__name__)

SEND_LETTER_KIND = "send-letter"
PRINT_PROVIDER = "dvla"


@dataclass(frozen=True)
class LetterClaim:
    claimed: ClaimedNotification
    postage: str
    contact_block: str | None
    # False: a live letter waiting for its collation, read but not claimed (claimed.claimed_at is None).
    due: bool = True


# What the sender needs of a letter, from `{source} c` (the claimed row, or the notification itself).
LETTER_COLUMNS = """
SELECT c.id, c.claimed_at, c.created_at, c.notification_type, c.key_type, c."to", c.normalised_to,
       c.personalisation, c.international, c.reply_to_text, c.one_click_unsubscribe_url, c.service_id, c.postage,
       s.name AS service_name, s.active AS service_active, s.email_sender_local_part, s.prefix_sms,
       coalesce(th.subject, t.subject) AS template_subject, coalesce(th.content, t.content) AS template_content,
       coalesce(th.letter_contact_block, t.letter_contact_block) AS letter_contact_block
FROM {source} c
JOIN services s ON s.id = c.service_id
LEFT JOIN templates_history th ON th.id = c.template_id AND th.version = c.template_version
LEFT JOIN templates t ON th.id IS NULL AND t.id = c.template_id AND t.version = c.template_version
"""

# A live letter is claimed only once its collation has passed (created before :due_before, the latest
# cut-off by the database clock, which the scheduler uses too). A released `sending` row was due when
# first claimed and stays due.
CLAIM_LETTER = text("""
WITH claimed AS (
    UPDATE notifications n
    SET status = 'sending', claimed_at = now(), updated_at = now(), send_attempts = :attempt + 1
    WHERE n.id = :id AND n.notification_type = 'letter'
      AND (n.key_type = 'test' OR n.created_at < :due_before)
      AND (n.status = 'created'
           OR (n.status = 'sending' AND n.claimed_at IS NULL AND n.sent_at IS NULL
               AND n.send_attempts IN (:attempt, :attempt + 1)))
    RETURNING n.*
)
""" + LETTER_COLUMNS.format(source="claimed"))

WAITING_LETTER = text(LETTER_COLUMNS.format(source="notifications") + """
WHERE c.id = :id AND c.notification_type = 'letter' AND c.status = 'created' AND c.key_type <> 'test'
  AND c.created_at >= :due_before
""")


def claim_letter(db: Database, notification_id: uuid.UUID, attempt: int,
                 collation: CollationTime) -> LetterClaim | None:
    """The claimed letter; or, for a live letter before its collation, the letter read but not claimed
    (`due` False); None when the letter is gone or already handled (a duplicate message)."""
    with db.session() as session:
        due_before = collation.latest_cutoff(session.scalar(text("SELECT now()")))
        params = {"id": notification_id, "attempt": attempt, "due_before": due_before}
        row = session.execute(CLAIM_LETTER, params).first()
        due = row is not None
        if row is None:
            row = session.execute(WAITING_LETTER, params).first()
    if row is None:
        return None
    claimed = ClaimedNotification(
        id=row.id, attempt=attempt, claimed_at=row.claimed_at, created_at=row.created_at,
        notification_type=row.notification_type, key_type=row.key_type, to=row.to, normalised_to=row.normalised_to,
        personalisation=row.personalisation, international=row.international, reply_to_text=row.reply_to_text,
        one_click_unsubscribe_url=row.one_click_unsubscribe_url, service_id=row.service_id,
        service_name=row.service_name, service_active=row.service_active,
        email_sender_local_part=row.email_sender_local_part, prefix_sms=row.prefix_sms, default_sms_sender=None,
        default_reply_to=None, template_subject=row.template_subject, template_content=row.template_content,
    )
    return LetterClaim(claimed, row.postage or "second", row.letter_contact_block, due=due)


class PrintRejected(Exception):
    """The print provider refused the job for good (4xx other than a duplicate)."""


class PrintUnavailable(Exception):
    """The print provider could not be reached or failed (5xx): try again later."""


class PrintClient:
    """DVLA-style print API: one job per notification id; a 409 means the job is already there."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        self.session = requests.Session()

    def submit(self, notification_id: uuid.UUID, postage: str, address: list[str], pdf: bytes) -> str:
        body = {"id": str(notification_id), "postage": postage, "address": address,
                "pdf": base64.b64encode(pdf).decode()}
        try:
            response = self.session.post(f"{self.base_url}/dvla/print-job", json=body, timeout=self.timeout_seconds)
        except requests.RequestException as exc:
            raise PrintUnavailable(type(exc).__name__) from exc
        if response.status_code == 409:
            # Already received (a retried hand-over): the same job, not a new one.
            return str(notification_id)
        if response.status_code >= 500 or response.status_code == 429:
            raise PrintUnavailable(f"print provider answered {response.status_code}")
        if response.status_code >= 400:
            raise PrintRejected(f"print provider answered {response.status_code}")
        return str(response.json().get("jobId") or notification_id)


class LetterSender:
    def __init__(self, handler: SendHandler, store: PdfStore, live: PrintClient, simulated: PrintClient,
                 collation: CollationTime | None = None) -> None:
        self.handler = handler
        self.store = store
        self.live = live
        self.simulated = simulated
        self.collation = collation or CollationTime.parse(DEFAULT_LETTER_COLLATION_TIME)

    def send(self, envelope: Envelope, queue: str) -> None:
        try:
            notification_id = uuid.UUID(str(envelope.notification_id))
        except ValueError:
            log.error("letter_envelope_dropped", reason="notification_id is not a UUID", message_id=envelope.message_id)
            return
        with bound(notification_id=str(notification_id), request_id=envelope.request_id,
                   message_id=envelope.message_id, attempt=envelope.attempt):
            claim = claim_letter(self.handler.db, notification_id, envelope.attempt, self.collation)
            if claim is None:
                log.info("letter_skipped_already_handled", queue=queue)
                return
            if not claim.due:
                self.prepare(claim)
                return
            try:
                pdf = self.pdf_for(claim)
                units = sheets(len(PdfReader(io.BytesIO(pdf)).pages))
            except RenderError as exc:
                self.handler.fail(claim.claimed, str(exc))
                return
            client = self.simulated if claim.claimed.key_type == KEY_TYPE_TEST else self.live
            try:
                reference = client.submit(notification_id, claim.postage, claim.claimed.to.splitlines(), pdf)
            except PrintRejected as exc:
                self.handler.fail(claim.claimed, str(exc))
                return
            except PrintUnavailable as exc:
                self.handler.retry_later(claim.claimed, envelope, queue, str(exc))
                return
            recorded = claims.record_sent(self.handler.db, claim.claimed, reference=reference, sent_by=PRINT_PROVIDER,
                                          billable_units=units)
            log.info("letter_sent_to_print", simulated=client is self.simulated, billable_units=units,
                     recorded=recorded)

    def prepare(self, claim: LetterClaim) -> None:
        """A letter waiting for its collation: store its PDF now, hand it over when the scheduler collates it."""
        collation = self.collation.next_cutoff(claim.claimed.created_at).isoformat()
        try:
            self.pdf_for(claim)
        except Exception as exc:  # noqa: BLE001 - only an early copy: the hand-over renders (or fails) it again
            log.warning("letter_pdf_not_prepared", error=f"{type(exc).__name__}: {exc}", collation=collation)
        log.info("letter_waiting_for_collation", collation=collation)

    def pdf_for(self, claim: LetterClaim) -> bytes:
        """The stored PDF (precompiled, or rendered by an earlier attempt), else render and store it."""
        notification_id = claim.claimed.id
        stored = self.store.get(notification_id)
        if stored is not None:
            return stored
        personalisation = decrypt_personalisation(self.handler.box, claim.claimed.personalisation)
        if claim.claimed.template_content is None:
            raise RenderError("template version is missing")
        if not claim.claimed.template_content.strip():
            # A precompiled letter (its template has no content) whose stored PDF is gone: never
            # render and print a blank letter in its place.
            raise RenderError("precompiled letter PDF is missing from the letter store")
        pdf = render_letter_pdf(LetterContent(
            address_lines=claim.claimed.to.splitlines(),
            subject=templates.render(claim.claimed.template_subject or "", personalisation),
            body=templates.render(claim.claimed.template_content, personalisation),
            contact_block=templates.render(claim.contact_block, personalisation) if claim.contact_block else None,
            date=claim.claimed.created_at.date() if claim.claimed.created_at else date.today(),
        ))
        self.store.put(notification_id, pdf)
        return pdf


def build_letter_sender(handler: SendHandler, store: PdfStore | None = None) -> LetterSender:
    config = handler.config
    timeout = config.provider_timeout_seconds
    return LetterSender(handler, store or pdf_store_from_env(),
                        live=PrintClient(config.print_provider_url, timeout),
                        simulated=PrintClient(config.simulator_url, timeout), collation=config.letter_collation)


def with_letters(handler: SendHandler, letters: LetterSender):
    """A queue handler that sends letter envelopes here and everything else to the SMS/email handler.

    Routed by envelope kind, not queue: test-key letters arrive on research-mode-tasks.
    """
    def handle(envelope: Envelope, queue: str) -> None:
        if envelope.kind == SEND_LETTER_KIND:
            letters.send(envelope, queue)
        else:
            handler(envelope, queue)
    return handle
