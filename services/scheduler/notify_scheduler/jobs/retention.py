"""Delete notifications past each service's retention, keeping their facts in notification_history.

As Notify's delete-notifications-older-than-retention (app/celery/nightly_tasks.py): per service and
channel, service_data_retention's days or DEFAULT_RETENTION_DAYS (7), counted in whole days in the
reporting time zone. Rows move to notification_history without personal data (no recipient,
personalisation or reply-to), then leave notifications; test-key rows leave without history, as
Notify's do.

Each batch (RETENTION_BATCH_SIZE rows, oldest first through ix_notifications_service_type_created)
is one statement in its own short transaction: it never holds many locks for long, so the API's
inserts and the receipt worker's updates carry on beside it. SKIP LOCKED leaves a row that a sender or
receipt is updating right now to tomorrow's run rather than waiting on it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from notify_shared.logging import get_logger
from notify_shared.models import NotificationHistory, Service, ServiceDataRetention
from notify_shared.statuses import KEY_TYPE_TEST, NOTIFICATION_TYPES

from .context import JobContext
from .days import retention_cutoff

log = get_logger(__name__)

# Every notification_history column is copied; the table has no personal-data columns to leave out.
HISTORY_COLUMNS = [column.name for column in NotificationHistory.__table__.columns]
# On a re-run after a crash between batches nothing is in both tables, but a history row written by
# someone else for the same id is brought up to date rather than failing the batch.
UPDATED_ON_CONFLICT = [name for name in HISTORY_COLUMNS if name not in ("id", "service_id", "created_at")]

# The batch CTE reads every column history needs while it locks the rows, so the INSERT needs no
# join back to notifications, and the DELETE finds its rows through the primary key (= ANY(ARRAY(...))):
# a join there is planned as a hash join over the whole table, once per batch.
MOVE_AND_DELETE_BATCH = text(f"""
WITH batch AS (
    SELECT {", ".join(HISTORY_COLUMNS)} FROM notifications
    WHERE service_id = :service_id AND notification_type = :notification_type AND created_at < :cutoff
    ORDER BY created_at
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), moved AS (
    INSERT INTO notification_history ({", ".join(HISTORY_COLUMNS)})
    SELECT {", ".join(HISTORY_COLUMNS)} FROM batch
    WHERE key_type <> '{KEY_TYPE_TEST}'
    ON CONFLICT (id) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATED_ON_CONFLICT)}
    RETURNING 1
), deleted AS (
    DELETE FROM notifications WHERE id = ANY(ARRAY(SELECT id FROM batch))
    RETURNING 1
)
SELECT (SELECT count(*) FROM deleted) AS deleted, (SELECT count(*) FROM moved) AS moved
""")


@dataclass(frozen=True)
class RetentionTarget:
    service_id: uuid.UUID
    notification_type: str
    days: int
    cutoff: datetime


def retention_targets(session: Session, *, now: datetime, default_days: int, zone: ZoneInfo) -> list[RetentionTarget]:
    """Every service and channel with the cut-off its retention gives, overrides from service_data_retention."""
    overrides = {
        (service_id, notification_type): days
        for service_id, notification_type, days in session.execute(
            select(ServiceDataRetention.service_id, ServiceDataRetention.notification_type,
                   ServiceDataRetention.days_of_retention))
    }
    targets = []
    for service_id in session.scalars(select(Service.id).order_by(Service.id)):
        for notification_type in NOTIFICATION_TYPES:
            days = overrides.get((service_id, notification_type), default_days)
            targets.append(RetentionTarget(service_id, notification_type, days, retention_cutoff(now, zone, days)))
    return targets


def move_and_delete_batch(session: Session, target: RetentionTarget, limit: int) -> tuple[int, int]:
    """One batch: (rows deleted from notifications, rows written to notification_history)."""
    row = session.execute(MOVE_AND_DELETE_BATCH, {
        "service_id": target.service_id, "notification_type": target.notification_type,
        "cutoff": target.cutoff, "limit": limit,
    }).one()
    return row.deleted, row.moved


def delete_notifications_past_retention(ctx: JobContext) -> None:
    cfg = ctx.config
    with ctx.db.session() as session:
        now = session.scalar(select(func.now()))
        targets = retention_targets(session, now=now, default_days=cfg.default_retention_days, zone=cfg.zone)
    for target in targets:
        deleted_total = moved_total = 0
        while not ctx.should_stop():
            with ctx.db.session() as session:
                deleted, moved = move_and_delete_batch(session, target, cfg.retention_batch_size)
            ctx.count(deleted)
            deleted_total += deleted
            moved_total += moved
            if deleted < cfg.retention_batch_size:
                break
            if cfg.retention_batch_pause_seconds:
                ctx.stopping.wait(cfg.retention_batch_pause_seconds)
        if deleted_total:
            log.info("notifications_past_retention_deleted", service_id=str(target.service_id),
                     notification_type=target.notification_type, days_of_retention=target.days,
                     cutoff=target.cutoff.isoformat(), deleted=deleted_total, moved_to_history=moved_total)
        if ctx.should_stop():
            return
