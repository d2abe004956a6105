"""Time out email and SMS that never got a final receipt: `sending`/`pending` after 72 h -> `temporary-failure`.

As Notify's timeout-sending-notifications (app/celery/nightly_tasks.py): the age is counted from
created_at, letters are left alone, and each timed-out notification gets a delivery-status callback
when its service has a delivery_status callback set up.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import any_, func, select, update
from sqlalchemy.orm import Session

from notify_shared.callback_messages import NotificationSnapshot
from notify_shared.logging import get_logger
from notify_shared.models import Notification
from notify_shared.statuses import EMAIL, PENDING, SENDING, SMS, TEMPORARY_FAILURE

from .callbacks import publish_status_callbacks, services_with_status_callbacks, snapshot
from .context import JobContext

log = get_logger(__name__)

TIMED_OUT_STATUSES = (SENDING, PENDING)
TIMED_OUT_TYPES = (SMS, EMAIL)


@dataclass(frozen=True)
class TimedOutBatch:
    count: int
    callbacks: list[NotificationSnapshot]  # only rows whose service has a delivery_status callback


def time_out_batch(session: Session, *, created_before: datetime, limit: int) -> TimedOutBatch:
    """Move one batch forward to temporary-failure.

    Oldest first through the partial status index. SKIP LOCKED leaves rows a receipt is updating
    right now to that receipt; the status re-check in the UPDATE keeps the move forward-only even
    if a receipt committed a final status between the scan and the update.
    """
    batch = (
        select(Notification.id)
        .where(Notification.status.in_(TIMED_OUT_STATUSES), Notification.created_at < created_before,
               Notification.notification_type.in_(TIMED_OUT_TYPES))
        .order_by(Notification.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Notification)
        # = ANY(ARRAY(batch)) finds the batch by primary key; `IN (batch)` is planned as a semi join that
        # walks every unfinished row once per batch.
        .where(Notification.id == any_(func.array(batch)), Notification.status.in_(TIMED_OUT_STATUSES))
        .values(status=TEMPORARY_FAILURE, updated_at=func.now(), completed_at=func.now())
        .returning(Notification.id, Notification.service_id, Notification.status, Notification.to,
                   Notification.client_reference, Notification.notification_type, Notification.template_id,
                   Notification.template_version, Notification.created_at, Notification.sent_at,
                   Notification.updated_at)
        .execution_options(synchronize_session=False)
    ).all()
    for row in rows:
        log.info("notification_timed_out", notification_id=str(row.id), created_at=row.created_at.isoformat())
    with_callbacks = services_with_status_callbacks(session, {row.service_id for row in rows})
    return TimedOutBatch(len(rows), [snapshot(row) for row in rows if row.service_id in with_callbacks])


def timeout_sending_notifications(ctx: JobContext) -> None:
    """Batch by batch: commit the status change, then queue the callbacks with no session open."""
    with ctx.db.session() as session:
        cutoff = session.scalar(select(func.now())) - timedelta(seconds=ctx.config.sending_timeout_seconds)
    while not ctx.should_stop():
        with ctx.db.session() as session:
            batch = time_out_batch(session, created_before=cutoff, limit=ctx.config.timeout_batch_size)
        ctx.count(batch.count)
        publish_status_callbacks(ctx, batch.callbacks)
        if batch.count < ctx.config.timeout_batch_size:
            return
