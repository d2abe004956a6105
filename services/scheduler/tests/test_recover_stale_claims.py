from sqlalchemy import select, text

from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.callback_messages import callback_body
from notify_shared.config import Settings
from notify_shared.scheduler_models import StaleClaimRecovery

from .conftest import add_status_callback, consume, notification, run_named_job

RECOVER = "recover-stale-claims"
TWENTY_MINUTES = 1200


def _recovery(db, notification_id) -> StaleClaimRecovery | None:
    with db.session() as session:
        return session.get(StaleClaimRecovery, notification_id)


def test_a_claim_left_by_a_dead_sender_is_released_and_its_send_message_republished_for_a_reclaim(
        empty_db, bus, stuck):
    dead = stuck(status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})

    result = run_named_job(empty_db, bus, RECOVER)

    assert result.ok and result.rows == 1
    row = notification(empty_db, dead)
    # Exactly what the sender's claim rule accepts for an envelope of attempt 1: a released, never-sent
    # `sending` row whose recorded attempt count equals the envelope's attempt.
    assert (row.status, row.claimed_at, row.sent_at, row.send_attempts) == ("sending", None, None, 1)
    [(queue, envelope)] = consume(bus, [queues.SEND_SMS], 1)
    assert (envelope.kind, envelope.notification_id, envelope.attempt) == ("send-sms", str(dead), 1)
    recovery = _recovery(empty_db, dead)
    assert recovery.recoveries == 1 and recovery.republished_at is not None


def test_live_claims_handed_over_rows_and_released_rows_are_left_alone(empty_db, bus, stuck):
    live = stuck(status="sending", send_attempts=1, ages={"claimed_at": 60})
    handed_over = stuck(status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES, "sent_at": 1190},
                        reference="provider-ref", sent_by="mmg")
    released_for_retry = stuck(status="sending", send_attempts=1)
    delivered = stuck(status="delivered", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})

    result = run_named_job(empty_db, bus, RECOVER)

    assert result.ok and result.rows == 0
    assert notification(empty_db, live).claimed_at is not None
    assert notification(empty_db, handed_over).claimed_at is not None
    assert [notification(empty_db, n).status for n in (released_for_retry, delivered)] == ["sending", "delivered"]


def test_test_key_and_email_claims_are_republished_to_their_own_queues(empty_db, bus, stuck):
    test_key_sms = stuck(status="sending", key_type="test", send_attempts=2, ages={"claimed_at": TWENTY_MINUTES})
    email = stuck(notification_type="email", status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})

    result = run_named_job(empty_db, bus, RECOVER)

    assert result.rows == 2
    received = consume(bus, [queues.RESEARCH_MODE, queues.SEND_EMAIL], 2)
    assert sorted((q, e.kind, e.notification_id, e.attempt) for q, e in received) == sorted([
        (queues.RESEARCH_MODE, "send-sms", str(test_key_sms), 2),
        (queues.SEND_EMAIL, "send-email", str(email), 1),
    ])


def test_a_letter_claim_left_by_a_dead_sender_is_republished_to_the_letter_queues(empty_db, bus, stuck):
    live = stuck(notification_type="letter", status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})
    test_key = stuck(notification_type="letter", status="sending", key_type="test", send_attempts=1,
                     ages={"claimed_at": TWENTY_MINUTES})
    printed = stuck(notification_type="letter", status="sending", send_attempts=1, reference=str(live),
                    sent_by="dvla", ages={"claimed_at": TWENTY_MINUTES, "sent_at": 1190})

    result = run_named_job(empty_db, bus, RECOVER)

    assert result.ok and result.rows == 2
    received = consume(bus, [queues.SEND_LETTER, queues.RESEARCH_MODE], 2)
    assert sorted((q, e.kind, e.notification_id, e.attempt) for q, e in received) == sorted([
        (queues.SEND_LETTER, "send-letter", str(live), 1),
        (queues.RESEARCH_MODE, "send-letter", str(test_key), 1),
    ])
    assert notification(empty_db, printed).claimed_at is not None  # handed over: the print callback finishes it


def test_a_claim_that_went_stale_again_after_the_last_allowed_recovery_becomes_technical_failure(
        empty_db, bus, stuck, sample_service, secret_box):
    add_status_callback(empty_db, sample_service.id, secret_box)
    doomed = stuck(status="sending", send_attempts=3, ages={"claimed_at": TWENTY_MINUTES})
    with empty_db.session() as session:
        session.add(StaleClaimRecovery(notification_id=doomed, recoveries=2,
                                       last_recovered_at=session.scalar(text("SELECT now() - interval '1 hour'")),
                                       republished_at=session.scalar(text("SELECT now() - interval '1 hour'"))))

    result = run_named_job(empty_db, bus, RECOVER, stale_claim_max_recoveries=2)

    assert result.ok and result.rows == 1
    row = notification(empty_db, doomed)
    assert row.status == "technical-failure" and row.completed_at is not None
    [(_, callback)] = consume(bus, [queues.SERVICE_CALLBACKS, queues.SEND_SMS], 1)
    assert callback_body(callback, secret_box)["status"] == "technical-failure"


def test_a_recovery_whose_message_never_reached_the_bus_is_republished_by_the_next_run(empty_db, settings, bus,
                                                                                      stuck):
    dead = stuck(status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})
    dead_bus = Bus(Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                               "bus_publish_timeout_seconds": 0.1}))

    failed = run_named_job(empty_db, dead_bus, RECOVER)

    assert failed.error.startswith("PublishError")
    assert notification(empty_db, dead).claimed_at is None  # released, but no message is on its way yet
    assert _recovery(empty_db, dead).republished_at is None

    retried = run_named_job(empty_db, bus, RECOVER)

    assert retried.ok
    [(_, envelope)] = consume(bus, [queues.SEND_SMS], 1)
    assert (envelope.notification_id, envelope.attempt) == (str(dead), 1)
    recovery = _recovery(empty_db, dead)
    assert recovery.recoveries == 1 and recovery.republished_at is not None


def test_the_stale_claim_scan_uses_the_small_unsent_claims_index(empty_db, stuck):
    stuck(status="sending", send_attempts=1, ages={"claimed_at": TWENTY_MINUTES})
    with empty_db.session() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text(
            "EXPLAIN SELECT id FROM notifications WHERE status = 'sending' AND sent_at IS NULL "
            "AND reference IS NULL AND claimed_at < now() - interval '15 minutes' ORDER BY claimed_at LIMIT 500"
        )).scalars())
        recoveries = session.scalars(select(StaleClaimRecovery)).all()

    assert "ix_notifications_unsent_claims" in plan
    assert recoveries == []
