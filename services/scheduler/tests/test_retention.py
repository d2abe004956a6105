import uuid

from sqlalchemy import inspect, select, text

from notify_scheduler.jobs.retention import MOVE_AND_DELETE_BATCH
from notify_shared.models import Notification, NotificationHistory, ServiceDataRetention
from notify_testkit.fixtures import make_service

from .conftest import insert_notification, notification, run_named_job

RETENTION = "delete-notifications-past-retention"
DAY = 86400


def _history(db, notification_id) -> NotificationHistory | None:
    with db.session() as session:
        return session.get(NotificationHistory, notification_id)


def _set_retention(db, service_id, notification_type: str, days: int) -> None:
    with db.session() as session:
        session.add(ServiceDataRetention(service_id=service_id, notification_type=notification_type,
                                         days_of_retention=days))


def test_notifications_past_the_default_seven_days_move_to_history_without_personal_data(empty_db, bus, stuck):
    expired = stuck(status="delivered", age_seconds=8 * DAY, client_reference="ref-1", reference="prov-1",
                    sent_by="mmg", billable_units=2, personalisation="sealed", normalised_to="447700900123")
    kept = stuck(status="delivered", age_seconds=6 * DAY)

    result = run_named_job(empty_db, bus, RETENTION)

    assert result.ok and result.rows == 1
    assert notification(empty_db, expired) is None
    assert notification(empty_db, kept) is not None
    moved = _history(empty_db, expired)
    assert (moved.status, moved.client_reference, moved.reference, moved.sent_by, moved.billable_units,
            moved.notification_type, moved.key_type) == ("delivered", "ref-1", "prov-1", "mmg", 2, "sms", "normal")
    history_columns = {c["name"] for c in inspect(empty_db.engine).get_columns("notification_history")}
    assert not history_columns & {"to", "normalised_to", "personalisation", "reply_to_text", "created_by_name"}
    assert _history(empty_db, kept) is None


def test_each_service_and_channel_keeps_its_own_retention(empty_db, bus, sample_service, secret_box):
    short = make_service(empty_db, secret_box)
    _set_retention(empty_db, short.id, "sms", 3)
    _set_retention(empty_db, sample_service.id, "email", 10)
    short_sms = insert_notification(empty_db, short, age_seconds=4 * DAY)
    short_email = insert_notification(empty_db, short, notification_type="email", age_seconds=4 * DAY)
    long_email = insert_notification(empty_db, sample_service, notification_type="email", age_seconds=9 * DAY)
    default_letter = insert_notification(empty_db, sample_service, notification_type="letter", age_seconds=8 * DAY)

    result = run_named_job(empty_db, bus, RETENTION)

    assert result.rows == 2
    gone = {n for n in (short_sms, short_email, long_email, default_letter) if notification(empty_db, n) is None}
    assert gone == {short_sms, default_letter}


def test_test_key_notifications_are_deleted_without_history(empty_db, bus, stuck):
    test_key = stuck(status="delivered", key_type="test", age_seconds=8 * DAY)

    result = run_named_job(empty_db, bus, RETENTION)

    assert result.rows == 1
    assert notification(empty_db, test_key) is None and _history(empty_db, test_key) is None


def test_deletion_walks_a_backlog_in_batches_until_nothing_expired_is_left(empty_db, bus, stuck):
    expired = [stuck(status="delivered", age_seconds=(8 + i) * DAY) for i in range(5)]

    result = run_named_job(empty_db, bus, RETENTION, retention_batch_size=2)

    assert result.ok and result.rows == 5
    with empty_db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM notifications")) == 0
        assert set(session.scalars(select(NotificationHistory.id))) == set(expired)


def test_a_history_row_already_there_is_brought_up_to_date_instead_of_failing_the_batch(empty_db, bus, stuck,
                                                                                        sample_service):
    expired = stuck(status="permanent-failure", age_seconds=8 * DAY)
    with empty_db.session() as session:
        row = session.get(Notification, expired)
        session.add(NotificationHistory(id=expired, service_id=sample_service.id, template_id=row.template_id,
                                        template_version=1, key_type="normal", notification_type="sms",
                                        status="sending", created_at=row.created_at))

    result = run_named_job(empty_db, bus, RETENTION)

    assert result.ok and result.rows == 1
    assert _history(empty_db, expired).status == "permanent-failure"


def test_each_batch_reads_one_service_and_channel_oldest_first_through_its_index(empty_db):
    with empty_db.session() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        compiled = MOVE_AND_DELETE_BATCH.bindparams(service_id=uuid.uuid4(), notification_type="sms",
                                                    cutoff="2026-01-01T00:00:00Z", limit=10_000)
        plan = "\n".join(session.execute(text("EXPLAIN " + compiled.text), compiled.compile().params).scalars())

    batch_plan = plan.split("CTE moved")[0]
    assert "ix_notifications_service_type_created" in batch_plan, plan
    assert "Sort" not in batch_plan, plan
