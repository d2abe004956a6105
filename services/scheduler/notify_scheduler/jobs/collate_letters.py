"""Collate letters: at LETTER_COLLATION_TIME, publish every live letter still `created` from before the cut-off.

Notify's collate-letter-pdfs-to-be-sent sends DVLA the letters created before 17:30; later ones wait
for the next day's run. Here the sender refuses to hand over a live letter before its collation
(services/sender/notify_sender/letters.py), so this job is what starts the hand-over: one send-letter
message per due letter on send-letter-tasks, and the sender claims, renders and submits each.

Nothing is lost if this run fails part-way (bus down, scheduler killed): the rows stay `created`, and
replay_created re-publishes letters of a passed collation still `created` REPLAY_CREATED_AFTER_SECONDS
later. Publishing twice is harmless: the claim is conditional, and the print API de-duplicates by id.
Letters from older collations still `created` (no leader was up) go out in this run too.
Test-key letters never wait for a collation (nothing is printed), so they are not collated here.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, func, select, tuple_

from notify_shared import queues
from notify_shared.envelope import Envelope
from notify_shared.logging import get_logger
from notify_shared.models import Notification
from notify_shared.statuses import CREATED, KEY_TYPE_TEST, LETTER

from .context import JobContext

log = get_logger(__name__)

SEND_LETTER_KIND = "send-letter"


def due_letters_query(*, created_before: datetime, limit: int,
                      after: tuple[datetime, uuid.UUID] | None = None) -> Select:
    """One batch of live `created` letters from before the cut-off, oldest first, through the partial status index."""
    query = (
        select(Notification.id, Notification.created_at)
        .where(Notification.status == CREATED, Notification.created_at < created_before,
               Notification.notification_type == LETTER, Notification.key_type != KEY_TYPE_TEST)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(tuple_(Notification.created_at, Notification.id) > tuple_(*after))
    return query


def collation_envelope(notification_id: uuid.UUID, cutoff: datetime) -> Envelope:
    return Envelope(kind=SEND_LETTER_KIND, notification_id=str(notification_id),
                    payload={"collation": cutoff.isoformat()})


def collate_letters(ctx: JobContext) -> None:
    """Publish batch by batch with no session open; a PublishError stops the run (replay covers the rest)."""
    with ctx.db.session() as session:
        cutoff = ctx.config.collation.latest_cutoff(session.scalar(select(func.now())))
    log.info("letter_collation_started", cutoff=cutoff.isoformat())
    after: tuple[datetime, uuid.UUID] | None = None
    while not ctx.should_stop():
        with ctx.db.session() as session:
            batch = session.execute(due_letters_query(created_before=cutoff, limit=ctx.config.replay_batch_size,
                                                      after=after)).all()
        for notification_id, created_at in batch:
            if ctx.should_stop():  # shutting down: replay_created picks the rest up
                return
            ctx.bus.publish(queues.SEND_LETTER, collation_envelope(notification_id, cutoff))
            ctx.count(1)
            log.info("letter_collated", notification_id=str(notification_id), created_at=created_at.isoformat())
        if len(batch) < ctx.config.replay_batch_size:
            return
        after = (batch[-1].created_at, batch[-1].id)
