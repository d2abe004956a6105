"""The sender's reads and writes of notifications: claim, record, release, fail. No network here.

Claim rule (at-least-once delivery must never mean two provider hand-overs):

* A claim is one conditional UPDATE ... RETURNING. It moves the row to `sending`, stamps
  `claimed_at = now()` and stores `send_attempts = <envelope attempt> + 1`. Zero rows back means
  someone else has it, or it was already handled: the message is a duplicate and is acked.
* A row is claimable when it is `created`, whatever the envelope's attempt (first delivery, the
  scheduler's replay, a redelivery after the sender died before claiming).
* A row is also claimable when it is `sending`, has never been sent (`sent_at IS NULL`) and was
  released (`claimed_at IS NULL`) by a failed attempt. For an envelope of attempt N that means the
  recorded attempt is N-1 (`send_attempts = N`): this is the retry we published. A redelivery of
  the recorded attempt itself (`send_attempts = N + 1`) may claim it too: that happens when the
  retry could not be published and the original message was left on the queue. Older copies match
  neither and are dropped as duplicates. `sending` never goes back to `created`, so API readers
  never see a status step backwards.
* Claims and records run in batches (batching.py): one statement for every send waiting, each row
  still judged on its own attempt. A row locked by another transaction is skipped as a duplicate.
* The `claimed_at` value a claim returns is its ownership token: record, release and fail only touch
  the row while `claimed_at` still holds that value, so a claim recovered by the scheduler (or any
  other writer) is never overwritten by a sender that lost it.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, text, update
from sqlalchemy.orm import Session

from notify_shared.db import Database
from notify_shared.models import Notification
from notify_shared.statuses import CREATED, EMAIL, SENDING, SMS, TECHNICAL_FAILURE

# Letters go to DVLA through their own worker; a letter on a send queue here is left alone.
SENT_BY_THIS_WORKER = (SMS, EMAIL)


@dataclass(frozen=True)
class ClaimedNotification:
    """Everything a send needs, read inside the claim transaction so no session outlives it."""

    id: uuid.UUID
    attempt: int
    claimed_at: datetime  # ownership token, see module docstring
    created_at: datetime
    notification_type: str
    key_type: str
    to: str
    normalised_to: str | None
    personalisation: str | None  # still encrypted
    international: bool
    reply_to_text: str | None
    one_click_unsubscribe_url: str | None
    service_id: uuid.UUID
    service_name: str
    service_active: bool
    email_sender_local_part: str
    prefix_sms: bool
    default_sms_sender: str | None
    default_reply_to: str | None
    template_subject: str | None
    template_content: str | None  # None: the template version is missing


@dataclass(frozen=True)
class NotClaimed:
    """Why a message was not acted on: the row is gone, or its status says it is handled."""

    status: str | None
    send_attempts: int | None
    claimed: bool
    notification_type: str | None = None

    @property
    def reason(self) -> str:
        if self.status is None:
            return "not_found"
        if self.notification_type not in SENT_BY_THIS_WORKER:
            return f"not_sent_by_this_worker_{self.notification_type}"
        if self.status == SENDING and self.claimed:
            return "claimed_by_another_attempt"
        if self.status == CREATED:
            return "claimed_concurrently"  # its row was locked by another claim of the same notification
        return f"status_{self.status}"


@dataclass(frozen=True)
class ClaimRequest:
    notification_id: uuid.UUID
    attempt: int


# One statement claims a whole batch and reads everything each send needs (service, template version,
# default sender): one round trip and one commit, however many sends are waiting (see batching.py).
# Rows another transaction holds are skipped, not waited for: that transaction is claiming or writing
# the same notification, so this copy of the message is a duplicate. Skipping also means two senders
# claiming overlapping batches can never deadlock.
CLAIM_BATCH = text("""
WITH wanted AS (
    SELECT w.id, w.attempt FROM unnest(CAST(:ids AS uuid[]), CAST(:attempts AS int[])) AS w(id, attempt)
    ORDER BY w.id
), locked AS (
    -- One primary-key lookup per id (LATERAL), whatever the planner thinks of the status indexes:
    -- with a backlog of created rows, a plan driven by status would scan all of them for every batch.
    SELECT n.id, w.attempt FROM wanted w
    CROSS JOIN LATERAL (
        SELECT id FROM notifications
        WHERE id = w.id AND notification_type IN ('sms', 'email')  -- SENT_BY_THIS_WORKER
          AND (status = 'created'
               OR (status = 'sending' AND claimed_at IS NULL AND sent_at IS NULL
                   AND send_attempts IN (w.attempt, w.attempt + 1)))
        FOR UPDATE SKIP LOCKED
    ) n
), claimed AS (
    UPDATE notifications n
    SET status = 'sending', claimed_at = now(), updated_at = now(), send_attempts = l.attempt + 1
    FROM locked l
    WHERE n.id = l.id
    RETURNING n.id, l.attempt, n.claimed_at, n.created_at, n.notification_type, n.key_type, n."to",
              n.normalised_to, n.personalisation, n.international, n.reply_to_text, n.one_click_unsubscribe_url,
              n.service_id, n.template_id, n.template_version
)
SELECT c.*, s.name AS service_name, s.active AS service_active, s.email_sender_local_part, s.prefix_sms,
       coalesce(th.subject, t.subject) AS template_subject, coalesce(th.content, t.content) AS template_content,
       (SELECT ss.sms_sender FROM service_sms_senders ss
        WHERE c.reply_to_text IS NULL AND c.notification_type = 'sms' AND ss.service_id = c.service_id
          AND ss.is_default AND NOT ss.archived LIMIT 1) AS default_sms_sender,
       (SELECT r.email_address FROM service_email_reply_to r
        WHERE c.reply_to_text IS NULL AND c.notification_type = 'email' AND r.service_id = c.service_id
          AND r.is_default AND NOT r.archived LIMIT 1) AS default_reply_to
FROM claimed c
JOIN services s ON s.id = c.service_id
LEFT JOIN templates_history th ON th.id = c.template_id AND th.version = c.template_version
-- Rows written before template history existed: the live template, if it is that version.
LEFT JOIN templates t ON th.id IS NULL AND t.id = c.template_id AND t.version = c.template_version
""")

CURRENT_STATE = text("""
SELECT id, status, send_attempts, claimed_at IS NOT NULL AS claimed, notification_type
FROM notifications WHERE id = ANY(CAST(:ids AS uuid[]))
""")


def claim_batch(db: Database, requests: Sequence[ClaimRequest]) -> list[ClaimedNotification | NotClaimed]:
    """Claim each request's notification (see the module docstring); results in request order."""
    with db.session() as session:
        return claim_in(session, requests)


def claim_in(session: Session, requests: Sequence[ClaimRequest]) -> list[ClaimedNotification | NotClaimed]:
    """claim_batch inside the caller's transaction (it commits, and is short)."""
    first_for_id: dict[uuid.UUID, int] = {}
    for index, request in enumerate(requests):
        first_for_id.setdefault(request.notification_id, index)
    wanted = [requests[index] for index in first_for_id.values()]
    results: list[ClaimedNotification | NotClaimed | None] = [None] * len(requests)
    rows = session.execute(CLAIM_BATCH, {"ids": [str(r.notification_id) for r in wanted],
                                         "attempts": [r.attempt for r in wanted]}).all()
    for row in rows:
        results[first_for_id[row.id]] = _claimed(row)
    missing = {requests[i].notification_id for i, result in enumerate(results) if result is None}
    if missing:
        current = {row.id: row for row in session.execute(CURRENT_STATE, {"ids": [str(i) for i in missing]})}
        for index, request in enumerate(requests):
            if results[index] is None:
                results[index] = _not_claimed(current.get(request.notification_id))
    return [result for result in results if result is not None]


def claim_for_sending(db: Database, notification_id: uuid.UUID, attempt: int) -> ClaimedNotification | NotClaimed:
    return claim_batch(db, [ClaimRequest(notification_id, attempt)])[0]


def _claimed(row) -> ClaimedNotification:
    return ClaimedNotification(
        id=row.id, attempt=row.attempt, claimed_at=row.claimed_at, created_at=row.created_at,
        notification_type=row.notification_type, key_type=row.key_type, to=row.to, normalised_to=row.normalised_to,
        personalisation=row.personalisation, international=row.international, reply_to_text=row.reply_to_text,
        one_click_unsubscribe_url=row.one_click_unsubscribe_url, service_id=row.service_id,
        service_name=row.service_name, service_active=row.service_active,
        email_sender_local_part=row.email_sender_local_part, prefix_sms=row.prefix_sms,
        default_sms_sender=row.default_sms_sender, default_reply_to=row.default_reply_to,
        template_subject=row.template_subject, template_content=row.template_content,
    )


def _not_claimed(current) -> NotClaimed:
    if current is None:
        return NotClaimed(None, None, False)
    return NotClaimed(current.status, current.send_attempts, current.claimed, current.notification_type)


def _owned(claim: ClaimedNotification):
    return and_(Notification.id == claim.id, Notification.claimed_at == claim.claimed_at)


@dataclass(frozen=True)
class SentRecord:
    """The hand-over facts for one claimed notification (billing and receipts read them)."""

    notification_id: uuid.UUID
    claimed_at: datetime  # the claim these facts belong to: a later claim's row is left alone
    reference: str
    sent_by: str
    billable_units: int
    status: str = SENDING
    phone_prefix: str | None = None  # international SMS only; the API prices UK numbers itself
    rate_multiplier: float | None = None

    @classmethod
    def for_claim(cls, claim: ClaimedNotification, reference: str, sent_by: str, billable_units: int,
                  status: str = SENDING, phone_prefix: str | None = None,
                  rate_multiplier: float | None = None) -> SentRecord:
        return cls(claim.id, claim.claimed_at, reference, sent_by, billable_units, status, phone_prefix,
                   rate_multiplier)


# A receipt may already have moved the status on; then only the facts are stored. Only rows whose
# claim is still the one recorded (same claimed_at) are touched. The rows are locked in id order first, as
# the receipt worker locks them: in the order of the batch, a sender's batch and a receipt batch sharing two
# notifications could each hold one and wait for the other, and PostgreSQL takes deadlock_timeout (1 s)
# to see that and fail one of them (seen in the end-to-end benchmark as hand-overs late by over a second).
RECORD_BATCH = text("""
WITH locked AS MATERIALIZED (
    SELECT id FROM notifications WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR UPDATE
)
UPDATE notifications n
SET reference = r.reference, sent_by = r.sent_by, billable_units = r.billable_units, sent_at = now(),
    updated_at = now(), status = CASE WHEN n.status = 'sending' THEN r.status ELSE n.status END,
    phone_prefix = coalesce(r.phone_prefix, n.phone_prefix),
    rate_multiplier = coalesce(r.rate_multiplier, n.rate_multiplier)
FROM unnest(CAST(:ids AS uuid[]), CAST(:claimed_at AS timestamptz[]), CAST(:references AS text[]),
            CAST(:sent_by AS text[]), CAST(:units AS int[]), CAST(:statuses AS text[]),
            CAST(:prefixes AS text[]), CAST(:multipliers AS float8[]))
     AS r(id, claimed_at, reference, sent_by, billable_units, status, phone_prefix, rate_multiplier)
WHERE n.id = r.id AND n.claimed_at = r.claimed_at AND n.id IN (SELECT id FROM locked)
RETURNING n.id
""")


def record_batch(db: Database, records: Sequence[SentRecord]) -> list[bool]:
    """Store each hand-over; True where the row was still ours (results in record order)."""
    with db.session() as session:
        return record_in(session, records)


def record_in(session: Session, records: Sequence[SentRecord]) -> list[bool]:
    """record_batch inside the caller's transaction."""
    recorded = set(session.execute(RECORD_BATCH, {
        "ids": [str(r.notification_id) for r in records],
        "claimed_at": [r.claimed_at for r in records],
        "references": [r.reference for r in records],
        "sent_by": [r.sent_by for r in records],
        "units": [r.billable_units for r in records],
        "statuses": [r.status for r in records],
        "prefixes": [r.phone_prefix for r in records],
        "multipliers": [r.rate_multiplier for r in records],
    }).scalars())
    return [record.notification_id in recorded for record in records]


def record_sent(db: Database, claim: ClaimedNotification, *, reference: str, sent_by: str, billable_units: int,
                status: str = SENDING) -> bool:
    return record_batch(db, [SentRecord.for_claim(claim, reference, sent_by, billable_units, status)])[0]


def release_for_retry(db: Database, claim: ClaimedNotification) -> bool:
    """Give up this attempt's claim, keeping `sending` and the recorded attempt (see module docstring)."""
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(_owned(claim), Notification.status == SENDING, Notification.sent_at.is_(None))
            .values(claimed_at=None, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def mark_technical_failure(db: Database, claim: ClaimedNotification) -> bool:
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(_owned(claim), Notification.status == SENDING)
            .values(status=TECHNICAL_FAILURE, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1
