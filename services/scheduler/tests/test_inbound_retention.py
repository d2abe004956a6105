from datetime import timedelta

from sqlalchemy import func, select

from notify_shared.models import InboundSms, ServiceDataRetention
from notify_testkit.fixtures import make_service

from .conftest import run_named_job

INBOUND_RETENTION = "delete-inbound-sms-past-retention"
DAY = 86400


def _inbound(db, service_id, age_seconds: float):
    with db.session() as session:
        row = InboundSms(service_id=service_id, notify_number="07700900000", user_number="447700900123",
                         content="sealed", provider="mmg",
                         created_at=session.scalar(select(func.now())) - timedelta(seconds=age_seconds))
        session.add(row)
        session.flush()
        return row.id


def _remaining(db) -> set:
    with db.session() as session:
        return set(session.scalars(select(InboundSms.id)))


def test_inbound_texts_older_than_seven_days_are_deleted_and_younger_ones_kept(empty_db, bus, sample_service):
    old = [_inbound(empty_db, sample_service.id, (8 + i) * DAY) for i in range(3)]
    young = _inbound(empty_db, sample_service.id, 6 * DAY)

    result = run_named_job(empty_db, bus, INBOUND_RETENTION, retention_batch_size=2)

    assert result.ok and result.rows == len(old)
    assert _remaining(empty_db) == {young}


def test_inbound_texts_follow_the_services_sms_retention(empty_db, bus, sample_service, secret_box):
    other = make_service(empty_db, secret_box)
    with empty_db.session() as session:
        session.add(ServiceDataRetention(service_id=sample_service.id, notification_type="sms", days_of_retention=3))
        session.add(ServiceDataRetention(service_id=other.id, notification_type="email", days_of_retention=3))
    short = _inbound(empty_db, sample_service.id, 4 * DAY)
    email_retention_only = _inbound(empty_db, other.id, 4 * DAY)

    result = run_named_job(empty_db, bus, INBOUND_RETENTION)

    assert result.rows == 1
    assert _remaining(empty_db) == {email_retention_only}
    assert short not in _remaining(empty_db)
