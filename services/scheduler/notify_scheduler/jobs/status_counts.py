"""Daily status counts per service, template, channel, key type and status (ft_notification_status).

As Notify's create-nightly-notification-status: each recent day (STATUS_COUNTS_DAYS, by default
yesterday and today in the reporting time zone) is rebuilt from the notifications created that day,
plus notification_history for rows a short retention has already moved there (a row is in exactly
one of the two: retention moves it in one transaction). Statuses change after the day ends (a text
sent at 23:59 is delivered after midnight), which is why yesterday is rebuilt too.

One transaction per (day, service, channel): upsert the fresh counts, then delete that slice's rows
the upsert did not touch (a status with no notifications left in it), so readers see either the
old slice or the new one, never a half-built day.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from notify_shared.logging import get_logger
from notify_shared.models import Service
from notify_shared.statuses import NOTIFICATION_TYPES

from .context import JobContext
from .days import day_bounds, local_date

log = get_logger(__name__)

_DAY_ROWS = """
    SELECT template_id, key_type, status FROM {table}
    WHERE service_id = :service_id AND notification_type = :notification_type
      AND created_at >= :start AND created_at < :end
"""

UPSERT_SLICE = text(f"""
INSERT INTO ft_notification_status (bst_date, template_id, service_id, notification_type, key_type,
                                    notification_status, notification_count, created_at, updated_at)
SELECT :day, template_id, :service_id, :notification_type, key_type, status, count(*), now(), now()
FROM ({_DAY_ROWS.format(table="notifications")} UNION ALL {_DAY_ROWS.format(table="notification_history")}) AS day_rows
GROUP BY template_id, key_type, status
ON CONFLICT (bst_date, template_id, service_id, notification_type, key_type, notification_status)
DO UPDATE SET notification_count = EXCLUDED.notification_count, updated_at = EXCLUDED.updated_at
""")

# Rows this transaction upserted carry updated_at = now() (the transaction's start); older ones are stale.
DELETE_STALE_SLICE_ROWS = text("""
DELETE FROM ft_notification_status
WHERE bst_date = :day AND service_id = :service_id AND notification_type = :notification_type
  AND updated_at < now()
""")


def rebuild_slice(session: Session, *, day: date, start: datetime, end: datetime, service_id: uuid.UUID,
                  notification_type: str) -> int:
    params = {"day": day, "start": start, "end": end, "service_id": service_id,
              "notification_type": notification_type}
    written = session.execute(UPSERT_SLICE, params).rowcount
    session.execute(DELETE_STALE_SLICE_ROWS, params)
    return written


def recent_days(today: date, count: int) -> list[date]:
    """Oldest first: with the default of 2, yesterday then today."""
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def build_daily_status_counts(ctx: JobContext) -> None:
    cfg = ctx.config
    with ctx.db.session() as session:
        now = session.scalar(select(func.now()))
        service_ids = session.scalars(select(Service.id).order_by(Service.id)).all()
    for day in recent_days(local_date(now, cfg.zone), cfg.status_counts_days):
        start, end = day_bounds(day, cfg.zone)
        for service_id in service_ids:
            for notification_type in NOTIFICATION_TYPES:
                if ctx.should_stop():
                    return
                with ctx.db.session() as session:
                    written = rebuild_slice(session, day=day, start=start, end=end, service_id=service_id,
                                            notification_type=notification_type)
                ctx.count(written)
        log.info("daily_status_counts_built", bst_date=day.isoformat(), services=len(service_ids))
