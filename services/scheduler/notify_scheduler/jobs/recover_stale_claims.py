"""Recover sender claims left behind by a sender that died before or during its provider call.

The sender claims a row `created` -> `sending`, stamping `claimed_at` and `send_attempts` before it
calls the provider, and stores `sent_at` and the provider reference once the provider took the
message (services/sender/notify_sender/claims.py). A row still `sending` with `claimed_at` older than
STALE_CLAIM_SECONDS and no `sent_at` / reference was therefore claimed by a sender that never got
to record the hand-over: it crashed, was killed, or lost the database for good. STALE_CLAIM_SECONDS
(15 min) is far above the provider timeout (10 s), so a live sender has long finished its call.

Rule. We cannot know whether the provider got the message, so each recovery:

1. releases the claim (`claimed_at = NULL`, status stays `sending`, `send_attempts` unchanged) with a
   conditional update that only matches the stale claim it read, and counts the recovery in
   stale_claim_recoveries, in one short transaction;
2. after commit, re-publishes the send envelope with `attempt = send_attempts`. The sender's claim
   rule accepts exactly that: a released, never-sent `sending` row whose `send_attempts` equals the
   envelope's attempt. A dead sender's ownership token (`claimed_at`) no longer matches, so if it was
   only frozen, its late writes are refused.
3. For SMS the provider reference is our notification id, so a provider that already has the message
   de-duplicates it; an email may, rarely, be sent twice. That is the price of never losing one.
   Letters are submitted to the print API under their notification id, which refuses a second job
   for the same id (409, taken as "already received"), so a letter is never printed twice. A letter is
   only ever claimed after its collation, so a released one is handed over at once, not held again.
4. A row recovered STALE_CLAIM_MAX_RECOVERIES times and stale again is marked `technical-failure`
   (a message that kills its sender every time must not do so forever), with a delivery-status
   callback as for any final status.

A recovery whose publish failed (bus down, scheduler killed in between) is remembered by
`republished_at IS NULL` and re-published on the next run while the row is still released and unsent,
so no row is left `sending` with no message on its way.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from notify_shared import queues
from notify_shared.callback_messages import NotificationSnapshot
from notify_shared.envelope import Envelope
from notify_shared.logging import get_logger
from notify_shared.models import Notification
from notify_shared.scheduler_models import StaleClaimRecovery
from notify_shared.statuses import EMAIL, KEY_TYPE_TEST, LETTER, SENDING, SMS, TECHNICAL_FAILURE

from .callbacks import publish_status_callbacks, services_with_status_callbacks, snapshot
from .context import JobContext

log = get_logger(__name__)

RECOVERED_TYPES = (SMS, EMAIL, LETTER)
ENVELOPE_KIND = {SMS: "send-sms", EMAIL: "send-email", LETTER: "send-letter"}
# Recovery counts are kept a day past the sending timeout: by then the timeout job has finished those rows.
PRUNE_AFTER_TIMEOUT_SECONDS = 86400


@dataclass(frozen=True)
class Republish:
    id: uuid.UUID
    notification_type: str
    key_type: str
    attempt: int

    @property
    def queue(self) -> str:
        # Test keys go through the research-mode queue so they never reach a real provider.
        if self.key_type == KEY_TYPE_TEST:
            return queues.RESEARCH_MODE
        return queues.SEND_QUEUE_FOR_TYPE[self.notification_type]

    def envelope(self) -> Envelope:
        return Envelope(kind=ENVELOPE_KIND[self.notification_type], notification_id=str(self.id),
                        attempt=self.attempt, payload={"recovered_stale_claim": True})


@dataclass(frozen=True)
class RecoveredBatch:
    scanned: int
    republish: list[Republish]
    failed: int
    callbacks: list[NotificationSnapshot]


def _released_unsent(notification_id: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    return and_(Notification.id == notification_id, Notification.status == SENDING,
                Notification.claimed_at.is_(None), Notification.sent_at.is_(None), Notification.reference.is_(None))


def recover_batch(session: Session, *, stale_seconds: int, max_recoveries: int, limit: int) -> RecoveredBatch:
    """Release (or fail) one batch of stale claims, oldest claim first, through ix_notifications_unsent_claims."""
    stale = session.execute(
        select(Notification.id, Notification.claimed_at, Notification.send_attempts, Notification.notification_type,
               Notification.key_type, func.coalesce(StaleClaimRecovery.recoveries, 0).label("recoveries"))
        .outerjoin(StaleClaimRecovery, StaleClaimRecovery.notification_id == Notification.id)
        .where(Notification.status == SENDING, Notification.sent_at.is_(None), Notification.reference.is_(None),
               Notification.claimed_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, stale_seconds),
               Notification.notification_type.in_(RECOVERED_TYPES))
        .order_by(Notification.claimed_at)
        .limit(limit)
        .with_for_update(of=Notification, skip_locked=True)
    ).all()
    republish: list[Republish] = []
    failed_rows = []
    for row in stale:
        # The row is locked and re-checked by the WHERE, so a sender recording its hand-over at this
        # very moment either commits first (and we match nothing) or waits and then loses its claim.
        still_stale = and_(Notification.id == row.id, Notification.status == SENDING,
                           Notification.claimed_at == row.claimed_at, Notification.sent_at.is_(None))
        if row.recoveries >= max_recoveries:
            failed = session.execute(
                update(Notification).where(still_stale)
                .values(status=TECHNICAL_FAILURE, updated_at=func.now(), completed_at=func.now())
                .returning(Notification.id, Notification.service_id, Notification.status, Notification.to,
                           Notification.client_reference, Notification.notification_type, Notification.template_id,
                           Notification.template_version, Notification.created_at, Notification.sent_at,
                           Notification.updated_at)
                .execution_options(synchronize_session=False)
            ).one_or_none()
            if failed is not None:
                failed_rows.append(failed)
                log.warning("stale_claim_failed", notification_id=str(row.id), recoveries=row.recoveries,
                            send_attempts=row.send_attempts)
            continue
        released = session.execute(
            update(Notification).where(still_stale).values(claimed_at=None, updated_at=func.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not released:
            continue
        session.execute(
            insert(StaleClaimRecovery)
            .values(notification_id=row.id, recoveries=1, last_recovered_at=func.now(), republished_at=None)
            .on_conflict_do_update(
                index_elements=[StaleClaimRecovery.notification_id],
                set_={"recoveries": StaleClaimRecovery.recoveries + 1, "last_recovered_at": func.now(),
                      "republished_at": None},
            )
        )
        republish.append(Republish(row.id, row.notification_type, row.key_type, row.send_attempts))
        log.warning("stale_claim_released", notification_id=str(row.id), claimed_at=row.claimed_at.isoformat(),
                    send_attempts=row.send_attempts, recovery=row.recoveries + 1)
    with_callbacks = services_with_status_callbacks(session, {row.service_id for row in failed_rows})
    callbacks = [snapshot(row) for row in failed_rows if row.service_id in with_callbacks]
    return RecoveredBatch(len(stale), republish, len(failed_rows), callbacks)


def unpublished_recoveries(session: Session, *, before: datetime, limit: int) -> list[Republish]:
    """Recoveries from earlier runs whose message may never have reached the bus, still waiting for it."""
    rows = session.execute(
        select(Notification.id, Notification.notification_type, Notification.key_type, Notification.send_attempts)
        .join(StaleClaimRecovery, _released_unsent(StaleClaimRecovery.notification_id))
        .where(StaleClaimRecovery.republished_at.is_(None), StaleClaimRecovery.last_recovered_at < before)
        .order_by(StaleClaimRecovery.last_recovered_at)
        .limit(limit)
    ).all()
    return [Republish(*row) for row in rows]


def mark_republished(session: Session, ids: list[uuid.UUID]) -> None:
    session.execute(
        update(StaleClaimRecovery).where(StaleClaimRecovery.notification_id.in_(ids))
        .values(republished_at=func.now()).execution_options(synchronize_session=False)
    )


def recover_stale_claims(ctx: JobContext) -> None:
    cfg = ctx.config
    with ctx.db.session() as session:
        run_started = session.scalar(select(func.now()))
        leftovers = unpublished_recoveries(session, before=run_started, limit=cfg.stale_claim_batch_size)
    _republish(ctx, leftovers)
    while not ctx.should_stop():
        with ctx.db.session() as session:
            batch = recover_batch(session, stale_seconds=cfg.stale_claim_seconds,
                                  max_recoveries=cfg.stale_claim_max_recoveries, limit=cfg.stale_claim_batch_size)
        ctx.count(len(batch.republish) + batch.failed)
        _republish(ctx, batch.republish)
        publish_status_callbacks(ctx, batch.callbacks)
        if batch.scanned < cfg.stale_claim_batch_size:
            break
    with ctx.db.session() as session:
        keep = cfg.sending_timeout_seconds + PRUNE_AFTER_TIMEOUT_SECONDS
        session.execute(delete(StaleClaimRecovery).where(
            StaleClaimRecovery.last_recovered_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, keep)))


def _republish(ctx: JobContext, items: list[Republish]) -> None:
    """Publish with no session open, then note what reached the bus. A PublishError stops the run."""
    published: list[uuid.UUID] = []
    try:
        for item in items:
            ctx.bus.publish(item.queue, item.envelope())
            published.append(item.id)
            log.info("stale_claim_republished", notification_id=str(item.id), queue=item.queue, attempt=item.attempt)
    finally:
        if published:
            with ctx.db.session() as session:
                mark_republished(session, published)
