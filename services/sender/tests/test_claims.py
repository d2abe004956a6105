"""The claim rules in claims.py, against the real database."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text, update

from notify_sender import claims
from notify_sender.claims import ClaimedNotification, NotClaimed
from notify_shared.models import Notification


def test_a_created_notification_is_claimed_once_and_moves_to_sending(harness):
    notification_id = harness.create_notification("sms")

    first = claims.claim_for_sending(harness.db, notification_id, 0)
    second = claims.claim_for_sending(harness.db, notification_id, 0)

    assert isinstance(first, ClaimedNotification)
    assert first.service_name and first.template_content == "Hello ((name)), your code is ((code??ready))."
    assert first.default_sms_sender == "notify"
    assert isinstance(second, NotClaimed) and second.reason == "claimed_by_another_attempt"
    row = harness.notification(notification_id)
    assert (row.status, row.send_attempts, row.claimed_at) == ("sending", 1, first.claimed_at)


def test_a_released_claim_can_be_taken_by_the_next_attempt_only(harness):
    notification_id = harness.create_notification("sms")
    first = claims.claim_for_sending(harness.db, notification_id, 0)
    assert claims.release_for_retry(harness.db, first)

    assert harness.notification(notification_id).status == "sending"  # never back to created
    assert isinstance(claims.claim_for_sending(harness.db, notification_id, 5), NotClaimed)  # stray copy
    retry = claims.claim_for_sending(harness.db, notification_id, 1)
    assert isinstance(retry, ClaimedNotification)
    assert harness.notification(notification_id).send_attempts == 2
    assert isinstance(claims.claim_for_sending(harness.db, notification_id, 1), NotClaimed)  # duplicate retry


def test_a_released_claim_can_be_retaken_by_the_same_attempt_when_its_retry_was_not_published(harness):
    notification_id = harness.create_notification("sms")
    first = claims.claim_for_sending(harness.db, notification_id, 0)
    claims.release_for_retry(harness.db, first)

    assert isinstance(claims.claim_for_sending(harness.db, notification_id, 0), ClaimedNotification)


def test_a_sent_notification_is_never_claimed_again(harness):
    notification_id = harness.create_notification("sms")
    claim = claims.claim_for_sending(harness.db, notification_id, 0)
    assert claims.record_sent(harness.db, claim, reference=str(notification_id), sent_by="mmg", billable_units=2)

    assert claims.release_for_retry(harness.db, claim) is False
    assert isinstance(claims.claim_for_sending(harness.db, notification_id, 1), NotClaimed)
    row = harness.notification(notification_id)
    assert (row.status, row.reference, row.sent_by, row.billable_units) == ("sending", str(notification_id), "mmg", 2)
    assert row.sent_at is not None


def test_recording_a_send_keeps_a_status_a_receipt_already_set(harness):
    notification_id = harness.create_notification("sms")
    claim = claims.claim_for_sending(harness.db, notification_id, 0)
    with harness.db.session() as session:
        session.execute(update(Notification).where(Notification.id == notification_id).values(status="delivered"))

    assert claims.record_sent(harness.db, claim, reference="r", sent_by="firetext", billable_units=1)
    row = harness.notification(notification_id)
    assert (row.status, row.sent_by) == ("delivered", "firetext")


def test_a_claim_taken_over_by_another_writer_is_not_overwritten(harness):
    notification_id = harness.create_notification("sms")
    claim = claims.claim_for_sending(harness.db, notification_id, 0)
    with harness.db.session() as session:  # e.g. the scheduler recovering a stale claim
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(claimed_at=None, status="created"))

    assert claims.record_sent(harness.db, claim, reference="r", sent_by="mmg", billable_units=1) is False
    assert claims.mark_technical_failure(harness.db, claim) is False
    assert harness.notification(notification_id).status == "created"


def test_technical_failure_is_final(harness):
    notification_id = harness.create_notification("email")
    claim = claims.claim_for_sending(harness.db, notification_id, 0)

    assert claims.mark_technical_failure(harness.db, claim)
    assert harness.notification(notification_id).status == "technical-failure"
    assert claims.claim_for_sending(harness.db, notification_id, 0).reason == "status_technical-failure"


def test_unknown_notifications_are_reported_as_not_found(harness):
    import uuid

    assert claims.claim_for_sending(harness.db, uuid.uuid4(), 0).reason == "not_found"


def test_a_batch_of_hand_overs_locks_its_rows_in_id_order_as_receipts_do(harness):
    # A receipt batch holds the lower id and is about to lock the higher one (it locks in id order). A
    # hand-over batch listing them the other way round must wait for the lower id without holding the higher
    # one; otherwise each waits for the other and PostgreSQL fails one after deadlock_timeout.
    low, high = sorted((harness.create_notification("sms"), harness.create_notification("sms")), key=str)
    records = [claims.SentRecord.for_claim(claims.claim_for_sending(harness.db, notification_id, 0),
                                           reference=f"r-{notification_id}", sent_by="mmg", billable_units=1)
               for notification_id in (high, low)]
    receipt = harness.db.engine.connect()
    transaction = receipt.begin()
    receipt.execute(text("SELECT id FROM notifications WHERE id = :id FOR UPDATE"), {"id": low})
    with ThreadPoolExecutor(1) as pool:
        recorded = pool.submit(claims.record_batch, harness.db, records)
        time.sleep(0.5)  # the hand-over batch is now waiting on the lower id's lock
        receipt.execute(text("SET LOCAL lock_timeout = '2s'"))
        receipt.execute(text("SELECT id FROM notifications WHERE id = :id FOR UPDATE"), {"id": high})
        transaction.commit()
        receipt.close()

        assert recorded.result(timeout=10) == [True, True]
