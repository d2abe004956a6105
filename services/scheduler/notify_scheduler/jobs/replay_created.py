"""Re-publish notifications stuck in `created` (DESIGN §3).

A notification stays `created` when the publish after its INSERT failed (bus down, process killed
between commit and publish). Re-publishing is safe: the sender claims a row `created` -> `sending`
with a conditional update, so a duplicate message finds nothing to claim and is acked.

Live letters are meant to stay `created` until their daily collation (collate_letters.py), so their
age says nothing: one is stuck only when the collation it belonged to passed REPLAY_CREATED_AFTER_SECONDS
ago and it is still `created` (the collation run failed on a bus outage, or its message was lost).
Test-key letters skip the collation and are replayed by age, like texts and emails.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from notify_shared import queues
from notify_shared.envelope import Envelope
from notify_shared.logging import get_logger
from notify_shared.models import Notification
from notify_shared.statuses import CREATED, EMAIL, KEY_TYPE_TEST, LETTER, SMS

from .context import JobContext

log = get_logger(__name__)

REPLAYED_TYPES = (SMS, EMAIL, LETTER)
ENVELOPE_KIND = {SMS: "send-sms", EMAIL: "send-email", LETTER: "send-letter"}


@dataclass(frozen=True)
class StuckNotification:
    id: uuid.UUID
    notification_type: str
    key_type: str
    created_at: datetime

    @property
    def queue(self) -> str:
        # Test keys go through the research-mode queue so they never reach a real provider.
        if self.key_type == KEY_TYPE_TEST:
            return queues.RESEARCH_MODE
        return queues.SEND_QUEUE_FOR_TYPE[self.notification_type]

    def envelope(self) -> Envelope:
        return Envelope(kind=ENVELOPE_KIND[self.notification_type], notification_id=str(self.id),
                        payload={"replayed": True})


def stuck_created_query(*, created_before: datetime, letters_before: datetime, limit: int,
                        after: tuple[datetime, uuid.UUID] | None = None) -> Select:
    """One batch of stuck `created` rows, oldest first: older than `created_before`, and for live
    letters created before `letters_before` (a collation that passed long enough ago; never later
    than `created_before`).

    `status = 'created'` with a created_at range is served by the partial index
    ix_notifications_unfinished_status_created; the keyset (created_at, id) keeps every batch an
    index range scan however deep the backlog.
    """
    query = (
        select(Notification.id, Notification.notification_type, Notification.key_type, Notification.created_at)
        .where(Notification.status == CREATED, Notification.created_at < created_before,
               Notification.notification_type.in_(REPLAYED_TYPES),
               or_(Notification.notification_type != LETTER, Notification.key_type == KEY_TYPE_TEST,
                   Notification.created_at < letters_before))
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(Notification.created_at, Notification.id) > tuple_(*after))
    return query


def find_stuck_created(session: Session, *, created_before: datetime, limit: int,
                       letters_before: datetime | None = None,
                       after: tuple[datetime, uuid.UUID] | None = None) -> list[StuckNotification]:
    """`letters_before` defaults to `created_before`: live letters by age, like everything else."""
    query = stuck_created_query(created_before=created_before, limit=limit, after=after,
                                letters_before=letters_before or created_before)
    return [StuckNotification(*row) for row in session.execute(query)]


def replay_stuck_created(ctx: JobContext) -> None:
    """Publish a send message for every stuck row, batch by batch. No session is open while publishing."""
    with ctx.db.session() as session:
        cutoff = session.scalar(select(func.now())) - timedelta(seconds=ctx.config.replay_created_after_seconds)
    # The latest collation at least the replay delay ago: its letters should long have been claimed.
    letters_before = ctx.config.collation.latest_cutoff(cutoff)
    after: tuple[datetime, uuid.UUID] | None = None
    while not ctx.should_stop():
        with ctx.db.session() as session:
            batch = find_stuck_created(session, created_before=cutoff, letters_before=letters_before,
                                       limit=ctx.config.replay_batch_size, after=after)
        for stuck in batch:
            if ctx.should_stop():  # shutting down: the rest are picked up by the next run
                return
            ctx.bus.publish(stuck.queue, stuck.envelope())
            ctx.count(1)
            log.info("notification_replayed", notification_id=str(stuck.id), queue=stuck.queue,
                     created_at=stuck.created_at.isoformat())
        if len(batch) < ctx.config.replay_batch_size:
            return
        after = (batch[-1].created_at, batch[-1].id)
