from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.callback_messages import KIND_DELIVERY_STATUS, callback_body
from notify_shared.config import Settings
from notify_shared.models import JobRun

from .conftest import add_status_callback, consume, notification, run_named_job

TIMEOUT = "timeout-sending-notifications"
HOURS_73 = 73 * 3600


def test_email_and_sms_sending_or_pending_for_72_hours_become_temporary_failure(empty_db, bus, stuck):
    old_sending_sms = stuck(status="sending", age_seconds=HOURS_73)
    old_pending_sms = stuck(status="pending", age_seconds=HOURS_73)
    old_sending_email = stuck(notification_type="email", status="sending", age_seconds=HOURS_73)
    young = stuck(status="sending", age_seconds=71 * 3600)
    delivered = stuck(status="delivered", age_seconds=HOURS_73)
    created = stuck(status="created", age_seconds=HOURS_73)  # the replay job's business, not this one
    letter = stuck(notification_type="letter", status="sending", age_seconds=HOURS_73)

    result = run_named_job(empty_db, bus, TIMEOUT, timeout_batch_size=2)

    assert result.ok and result.rows == 3
    statuses = {nid: notification(empty_db, nid).status for nid in
                (old_sending_sms, old_pending_sms, old_sending_email, young, delivered, created, letter)}
    assert statuses == {
        old_sending_sms: "temporary-failure", old_pending_sms: "temporary-failure",
        old_sending_email: "temporary-failure", young: "sending", delivered: "delivered", created: "created",
        letter: "sending",
    }
    timed_out = notification(empty_db, old_sending_sms)
    assert timed_out.updated_at is not None and timed_out.completed_at is not None


def test_the_timeout_age_comes_from_the_environment(empty_db, bus, stuck):
    ten_minutes_old = stuck(status="sending", age_seconds=600)

    result = run_named_job(empty_db, bus, TIMEOUT, sending_timeout_seconds=300)

    assert result.rows == 1
    assert notification(empty_db, ten_minutes_old).status == "temporary-failure"


def test_services_with_a_delivery_status_callback_are_told_about_the_timeout(empty_db, bus, stuck, sample_service,
                                                                              secret_box):
    add_status_callback(empty_db, sample_service.id, secret_box)
    timed_out = stuck(status="sending", age_seconds=HOURS_73, client_reference="ref-42")

    result = run_named_job(empty_db, bus, TIMEOUT)

    assert result.ok and result.rows == 1
    [(_, envelope)] = consume(bus, [queues.SERVICE_CALLBACKS], 1)
    assert envelope.kind == KIND_DELIVERY_STATUS and envelope.notification_id == str(timed_out)
    body = callback_body(envelope, secret_box)
    assert (body["id"], body["status"], body["to"], body["reference"], body["notification_type"]) == (
        str(timed_out), "temporary-failure", "07700900123", "ref-42", "sms")
    assert body["completed_at"] is not None


def test_services_without_a_callback_get_no_callback_message(empty_db, bus, stuck):
    stuck(status="sending", age_seconds=HOURS_73)

    result = run_named_job(empty_db, bus, TIMEOUT)

    assert result.rows == 1
    assert consume(bus, [queues.SERVICE_CALLBACKS], 1, timeout=3) == []


def test_the_status_change_is_committed_before_publishing_so_a_dead_bus_fails_the_run_not_the_update(
        empty_db, settings, stuck, sample_service, secret_box):
    add_status_callback(empty_db, sample_service.id, secret_box)
    timed_out = stuck(status="pending", age_seconds=HOURS_73)
    dead_bus = Bus(Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                               "bus_publish_timeout_seconds": 0.1}))

    result = run_named_job(empty_db, dead_bus, TIMEOUT)

    assert result.error.startswith("PublishError")
    assert notification(empty_db, timed_out).status == "temporary-failure"
    with empty_db.session() as session:
        assert session.get(JobRun, result.run_id).rows == 1
