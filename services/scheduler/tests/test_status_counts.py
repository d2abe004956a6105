import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from notify_scheduler.jobs.days import day_bounds, local_date
from notify_scheduler.jobs.status_counts import recent_days
from notify_shared.models import Notification, NotificationHistory
from notify_shared.scheduler_models import FactNotificationStatus

from .conftest import run_named_job

COUNTS = "daily-status-counts"
LONDON = ZoneInfo("Europe/London")


def _day_start(db, days_ago: int):
    with db.session() as session:
        today = local_date(session.scalar(select(func.now())), LONDON)
    day = today - timedelta(days=days_ago)
    return day, day_bounds(day, LONDON)[0]


def _facts(db) -> dict[tuple, int]:
    with db.session() as session:
        rows = session.scalars(select(FactNotificationStatus)).all()
    return {(r.bst_date, r.notification_type, r.key_type, r.notification_status): r.notification_count for r in rows}


def test_yesterday_and_today_are_counted_per_london_day_channel_key_type_and_status(empty_db, bus, stuck):
    today, today_start = _day_start(empty_db, 0)
    yesterday, yesterday_start = _day_start(empty_db, 1)
    _, long_ago = _day_start(empty_db, 3)
    for _ in range(2):
        stuck(status="delivered", created_at=today_start + timedelta(seconds=30))
    stuck(status="sending", created_at=today_start + timedelta(seconds=30), key_type="test")
    stuck(notification_type="email", status="permanent-failure", created_at=yesterday_start + timedelta(hours=1))
    stuck(status="delivered", created_at=long_ago + timedelta(hours=1))  # older days are not rebuilt

    result = run_named_job(empty_db, bus, COUNTS)

    assert result.ok and result.rows == 3
    assert _facts(empty_db) == {
        (today, "sms", "normal", "delivered"): 2,
        (today, "sms", "test", "sending"): 1,
        (yesterday, "email", "normal", "permanent-failure"): 1,
    }


def test_a_rebuild_follows_status_changes_and_drops_statuses_nobody_is_in_any_more(empty_db, bus, stuck):
    today, today_start = _day_start(empty_db, 0)
    sent = stuck(status="sending", created_at=today_start + timedelta(seconds=30))
    run_named_job(empty_db, bus, COUNTS)
    with empty_db.session() as session:
        session.execute(update(Notification).where(Notification.id == sent).values(status="delivered"))

    run_named_job(empty_db, bus, COUNTS)

    assert _facts(empty_db) == {(today, "sms", "normal", "delivered"): 1}


def test_rows_already_moved_to_history_still_count_for_their_day(empty_db, bus, sample_service):
    yesterday, yesterday_start = _day_start(empty_db, 1)
    with empty_db.session() as session:
        session.add(NotificationHistory(
            id=uuid.uuid4(), service_id=sample_service.id, template_id=sample_service.sms_template_id,
            template_version=1, key_type="normal", notification_type="sms", status="delivered",
            created_at=yesterday_start + timedelta(hours=2)))

    run_named_job(empty_db, bus, COUNTS)

    assert _facts(empty_db) == {(yesterday, "sms", "normal", "delivered"): 1}


def test_the_recent_days_are_listed_oldest_first():
    today = local_date(datetime.now(LONDON), LONDON)
    assert recent_days(today, 2) == [today - timedelta(days=1), today]
