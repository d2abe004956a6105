import uuid
from dataclasses import replace

import pytest

from notify_shared import queues
from notify_shared.callback_messages import callback_body
from notify_shared.envelope import Envelope
from notify_shared.models import NotificationHistory
from notify_status_receiver.receipt_handler import ReceiptHandler
from notify_status_receiver.receipts import DUPLICATE, NOT_FOUND, UPDATED, apply_receipt


def sms_receipt(provider: str, notification_id, status: str, detail: str | None = None, attempt: int = 0) -> Envelope:
    detail_field = "substatus" if provider == "mmg" else "code"
    return Envelope(kind="sms-receipt", notification_id=str(notification_id), attempt=attempt,
                    payload={"provider": provider, "reference": str(notification_id), "status": status,
                             detail_field: detail})


def ses_receipt(reference: str, event_type: str, bounce_type: str | None = None, **extra) -> Envelope:
    return Envelope(kind="ses-receipt", payload={"provider": "ses", "reference": reference, "event_type": event_type,
                                                 "bounce_type": bounce_type, **extra})


@pytest.fixture
def handler(db, bus, secret_box, receiver_config) -> ReceiptHandler:
    return ReceiptHandler(db, bus, secret_box, receiver_config)


@pytest.mark.parametrize(("provider", "status", "detail", "expected"), [
    ("mmg", "3", "2", "delivered"),
    ("mmg", "4", "6", "temporary-failure"),
    ("mmg", "2", "1", "permanent-failure"),
    ("mmg", "5", "11", "permanent-failure"),
    ("firetext", "0", None, "delivered"),
    ("firetext", "1", "101", "permanent-failure"),
    ("firetext", "1", "102", "temporary-failure"),
])
def test_an_sms_receipt_moves_a_sending_notification_to_its_final_status(rows, secret_box, provider, status, detail,
                                                                         expected):
    notification_id = rows.notification(status="sending")

    outcome = apply_receipt(rows.db, secret_box, sms_receipt(provider, notification_id, status, detail))

    row = rows.status_of(notification_id)
    assert (outcome.result, row.status) == (UPDATED, expected)
    assert row.completed_at is not None and row.updated_at == row.completed_at
    assert row.sent_by == provider


def test_a_pending_receipt_is_recorded_but_does_not_complete_the_notification(rows, secret_box):
    notification_id = rows.notification(status="sending")

    apply_receipt(rows.db, secret_box, sms_receipt("firetext", notification_id, "2"))

    row = rows.status_of(notification_id)
    assert (row.status, row.completed_at) == ("pending", None)
    assert row.updated_at is not None


def test_a_firetext_failure_without_a_code_after_pending_is_a_temporary_failure(rows, secret_box):
    notification_id = rows.notification(status="pending", sent_by="firetext")

    apply_receipt(rows.db, secret_box, sms_receipt("firetext", notification_id, "1"))

    assert rows.status_of(notification_id).status == "temporary-failure"


def test_an_sms_receipt_finds_the_notification_by_provider_reference_when_cid_is_not_our_id(rows, secret_box):
    notification_id = rows.notification(status="sending", reference="MMG-REF-77")
    receipt = Envelope(kind="sms-receipt", payload={"provider": "mmg", "reference": "MMG-REF-77", "status": "3"})

    apply_receipt(rows.db, secret_box, receipt)

    assert rows.status_of(notification_id).status == "delivered"


@pytest.mark.parametrize(("event_type", "bounce_type", "expected"), [
    ("Delivery", None, "delivered"),
    ("Bounce", "Permanent", "permanent-failure"),
    ("Bounce", "Transient", "temporary-failure"),
])
def test_an_ses_event_updates_the_email_found_by_ses_message_id(rows, secret_box, event_type, bounce_type, expected):
    reference = f"ses-{uuid.uuid4()}"
    notification_id = rows.notification(status="sending", notification_type="email", reference=reference,
                                        to="someone@example.com")

    apply_receipt(rows.db, secret_box, ses_receipt(reference, event_type, bounce_type))

    assert rows.status_of(notification_id).status == expected


def test_an_ses_event_for_a_notification_past_retention_updates_notification_history(rows, secret_box):
    reference = f"ses-{uuid.uuid4()}"
    notification_id = rows.history(status="sending", reference=reference)

    outcome = apply_receipt(rows.db, secret_box, ses_receipt(reference, "Delivery"))

    assert outcome.result == UPDATED
    assert rows.status_of(notification_id, NotificationHistory).status == "delivered"


def test_an_unknown_status_code_marks_the_notification_technical_failure(rows, secret_box):
    notification_id = rows.notification(status="sending")

    apply_receipt(rows.db, secret_box, sms_receipt("mmg", notification_id, "42"))

    assert rows.status_of(notification_id).status == "technical-failure"


def test_a_duplicate_receipt_changes_nothing(rows, secret_box):
    notification_id = rows.notification(status="sending")
    apply_receipt(rows.db, secret_box, sms_receipt("mmg", notification_id, "3", "2"))
    first = rows.status_of(notification_id)

    outcome = apply_receipt(rows.db, secret_box, sms_receipt("mmg", notification_id, "3", "2"))

    again = rows.status_of(notification_id)
    assert outcome.result == DUPLICATE
    assert (again.status, again.updated_at, again.completed_at) == ("delivered", first.updated_at, first.completed_at)


@pytest.mark.parametrize(("late_status", "late_detail"), [("4", "6"), ("2", "1")])
def test_a_failure_arriving_after_delivered_leaves_the_notification_delivered(rows, secret_box, late_status,
                                                                              late_detail):
    notification_id = rows.notification(status="sending")
    apply_receipt(rows.db, secret_box, sms_receipt("mmg", notification_id, "3", "2"))

    outcome = apply_receipt(rows.db, secret_box, sms_receipt("mmg", notification_id, late_status, late_detail))

    assert outcome.result == DUPLICATE
    assert rows.status_of(notification_id).status == "delivered"


def test_a_pending_receipt_arriving_after_delivered_does_not_step_back(rows, secret_box):
    notification_id = rows.notification(status="sending")
    apply_receipt(rows.db, secret_box, sms_receipt("firetext", notification_id, "0"))

    apply_receipt(rows.db, secret_box, sms_receipt("firetext", notification_id, "2"))

    assert rows.status_of(notification_id).status == "delivered"


def test_a_status_change_queues_a_delivery_status_callback_in_notifys_format(rows, handler, secret_box,
                                                                             read_messages):
    rows.callback_api("https://service.example/callback", "token-123", secret_box)
    notification_id = rows.notification(status="sending", client_reference="their-ref")

    handler(sms_receipt("mmg", notification_id, "3", "2"))

    [message] = read_messages(queues.SERVICE_CALLBACKS, 1)
    row = rows.status_of(notification_id)
    assert message.kind == "delivery-status-callback"
    assert message.notification_id == str(notification_id)
    assert "+447700900123" not in str(message.payload)  # the recipient travels sealed
    assert callback_body(message, secret_box) == {
        "id": str(notification_id),
        "reference": "their-ref",
        "to": "+447700900123",
        "status": "delivered",
        "created_at": row.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "completed_at": row.updated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "sent_at": row.sent_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "notification_type": "sms",
        "template_id": str(row.template_id),
        "template_version": 1,
    }


def test_no_callback_is_queued_for_pending_or_for_a_service_without_a_callback_url(rows, secret_box):
    without_callback = rows.notification(status="sending")
    outcome = apply_receipt(rows.db, secret_box, sms_receipt("mmg", without_callback, "3"))
    rows.callback_api("https://service.example/callback", "token-123", secret_box)
    pending = rows.notification(status="sending")
    pending_outcome = apply_receipt(rows.db, secret_box, sms_receipt("firetext", pending, "2"))

    assert (outcome.result, outcome.callbacks) == (UPDATED, ())
    assert (pending_outcome.result, pending_outcome.callbacks) == (UPDATED, ())


def test_a_complaint_changes_no_status_and_queues_a_complaint_callback(rows, secret_box):
    rows.callback_api("https://service.example/complaints", "token-123", secret_box, callback_type="complaint")
    reference = f"ses-{uuid.uuid4()}"
    notification_id = rows.notification(status="delivered", notification_type="email", reference=reference,
                                        to="someone@example.com")

    outcome = apply_receipt(rows.db, secret_box, ses_receipt(reference, "Complaint", complaint_feedback_id="fb-1",
                                                             complaint_timestamp="2026-05-01T12:00:00.000Z"))

    assert rows.status_of(notification_id).status == "delivered"
    [callback] = outcome.callbacks
    body = callback_body(callback, secret_box)
    assert body["notification_id"] == str(notification_id)
    assert (body["to"], body["complaint_date"]) == ("someone@example.com", "2026-05-01T12:00:00.000000Z")


def test_a_receipt_for_an_unknown_notification_is_requeued_with_the_next_attempt(db, bus, secret_box, receiver_config,
                                                                                 empty_db, read_messages):
    handler = ReceiptHandler(db, bus, secret_box, replace(receiver_config, receipt_retry_delay_seconds=0))

    handler(ses_receipt("ses-never-sent", "Delivery"))

    [requeued] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert requeued.attempt == 1
    assert requeued.payload["reference"] == "ses-never-sent"


def test_a_receipt_for_an_unknown_notification_is_dropped_after_the_last_attempt(db, bus, secret_box, receiver_config,
                                                                                 empty_db):
    handler = ReceiptHandler(db, bus, secret_box, replace(receiver_config, receipt_not_found_max_attempts=3))
    receipt = replace(ses_receipt("ses-never-sent", "Delivery"), attempt=2)

    assert apply_receipt(db, secret_box, receipt).result == NOT_FOUND
    handler(receipt)
    assert bus.published == 0
