import uuid
from datetime import UTC, datetime

from notify_shared.callback_messages import callback_body
from notify_shared.envelope import Envelope
from notify_shared.receiver_models import Complaint
from notify_status_receiver.receipts import COMPLAINT_DUPLICATE, COMPLAINT_RESULT, NOT_FOUND, apply_receipt


def complaint(reference: str, feedback_id: str = "fb-1") -> Envelope:
    return Envelope(kind="ses-receipt", payload={
        "provider": "ses", "reference": reference, "event_type": "Complaint", "complaint_feedback_id": feedback_id,
        "complaint_feedback_type": "abuse", "complaint_timestamp": "2026-05-01T12:00:00.000Z"})


def complaints(db) -> list[Complaint]:
    with db.session() as session:
        return session.query(Complaint).all()


def test_an_ses_complaint_is_recorded_against_the_notification_and_service(rows, secret_box):
    reference = f"ses-{uuid.uuid4()}"
    notification_id = rows.notification(status="delivered", notification_type="email", reference=reference,
                                        to="someone@example.com")

    outcome = apply_receipt(rows.db, secret_box, complaint(reference))

    [row] = complaints(rows.db)
    assert outcome.result == COMPLAINT_RESULT
    assert (row.notification_id, row.service_id) == (notification_id, rows.service_id)
    assert (row.ses_feedback_id, row.complaint_type) == ("fb-1", "abuse")
    assert row.complaint_date == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert row.created_at is not None
    assert rows.status_of(notification_id).status == "delivered"


def test_the_complaint_callback_carries_the_recorded_complaints_id(rows, secret_box):
    rows.callback_api("https://service.example/complaints", "token-123", secret_box, callback_type="complaint")
    reference = f"ses-{uuid.uuid4()}"
    rows.notification(status="delivered", notification_type="email", reference=reference, to="someone@example.com")

    outcome = apply_receipt(rows.db, secret_box, complaint(reference))

    [row] = complaints(rows.db)
    [callback] = outcome.callbacks
    assert callback_body(callback, secret_box)["complaint_id"] == str(row.id)


def test_a_complaint_delivered_twice_is_one_row_and_one_callback(rows, secret_box):
    rows.callback_api("https://service.example/complaints", "token-123", secret_box, callback_type="complaint")
    reference = f"ses-{uuid.uuid4()}"
    rows.notification(status="delivered", notification_type="email", reference=reference, to="someone@example.com")

    first = apply_receipt(rows.db, secret_box, complaint(reference))
    again = apply_receipt(rows.db, secret_box, complaint(reference))

    assert (first.result, len(first.callbacks)) == (COMPLAINT_RESULT, 1)
    assert (again.result, again.callbacks) == (COMPLAINT_DUPLICATE, ())
    assert len(complaints(rows.db)) == 1


def test_a_complaint_about_an_email_past_retention_is_recorded_without_a_callback(rows, secret_box):
    rows.callback_api("https://service.example/complaints", "token-123", secret_box, callback_type="complaint")
    reference = f"ses-{uuid.uuid4()}"
    notification_id = rows.history(status="delivered", reference=reference)

    outcome = apply_receipt(rows.db, secret_box, complaint(reference))

    assert (outcome.result, outcome.callbacks) == (COMPLAINT_RESULT, ())
    assert [c.notification_id for c in complaints(rows.db)] == [notification_id]


def test_a_complaint_about_an_unknown_email_records_nothing(rows, secret_box):
    assert apply_receipt(rows.db, secret_box, complaint("ses-never-sent")).result == NOT_FOUND
    assert complaints(rows.db) == []
