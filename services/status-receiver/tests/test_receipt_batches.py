"""Applying receipts in a batch gives exactly what applying them one at a time in order gives."""
import uuid

from sqlalchemy import event

from notify_shared.envelope import Envelope
from notify_shared.models import NotificationHistory
from notify_status_receiver.receipt_batches import apply_receipts
from notify_status_receiver.receipts import apply_receipt


def sms(provider: str, notification_id, status: str, detail: str | None = None) -> Envelope:
    detail_field = "substatus" if provider == "mmg" else "code"
    return Envelope(kind="sms-receipt", notification_id=str(notification_id),
                    payload={"provider": provider, "reference": str(notification_id), "status": status,
                             detail_field: detail})


def ses(reference: str, event_type: str, bounce_type: str | None = None, **extra) -> Envelope:
    return Envelope(kind="ses-receipt", payload={"provider": "ses", "reference": reference, "event_type": event_type,
                                                 "bounce_type": bounce_type, **extra})


def scenario(rows):
    """A burst of receipts covering every path: returns (receipts, the notifications to compare)."""
    delivered = rows.notification(status="sending")
    pending_then_failed = rows.notification(status="sending")
    delivered_then_late_failure = rows.notification(status="sending")
    already_final = rows.notification(status="delivered")
    unknown_code = rows.notification(status="sending")
    pending_then_pending_again = rows.notification(status="pending")
    email_ref, bounced_ref, complained_ref = (f"ses-{uuid.uuid4()}" for _ in range(3))
    email = rows.notification(status="sending", notification_type="email", reference=email_ref, to="a@example.com")
    complained = rows.notification(status="delivered", notification_type="email", reference=complained_ref,
                                   to="b@example.com")
    past_retention = rows.history(status="sending", reference=bounced_ref)
    receipts = [
        sms("mmg", delivered, "3", "2"),
        sms("firetext", pending_then_failed, "2"),
        sms("mmg", delivered_then_late_failure, "3"),
        sms("mmg", already_final, "2", "1"),
        ses(email_ref, "Delivery"),
        sms("firetext", pending_then_failed, "1"),  # no code after pending: temporary-failure
        sms("mmg", delivered_then_late_failure, "4", "6"),
        ses(bounced_ref, "Bounce", "Permanent"),
        ses("ses-never-sent", "Delivery"),
        sms("mmg", unknown_code, "42"),
        ses(complained_ref, "Complaint", complaint_feedback_id=f"fb-{uuid.uuid4()}"),
        ses(email_ref, "Open"),
        sms("firetext", pending_then_pending_again, "2"),
        sms("firetext", pending_then_pending_again, "0"),
    ]
    live = [delivered, pending_then_failed, delivered_then_late_failure, already_final, unknown_code,
            pending_then_pending_again, email, complained]
    return receipts, live, past_retention


def observed(rows, live, past_retention):
    facts = []
    for notification_id in live:
        row = rows.status_of(notification_id)
        facts.append((row.status, row.sent_by, row.completed_at is not None))
    facts.append(rows.status_of(past_retention, NotificationHistory).status)
    return facts


def summary(outcomes):
    return [(o.result, o.previous_status, o.status, [c.payload.get("status") for c in o.callbacks]) for o in outcomes]


def test_a_batch_has_the_same_outcomes_callbacks_and_rows_as_one_at_a_time_in_order(rows, secret_box):
    rows.callback_api("https://service.example/callback", "token-123", secret_box)
    rows.callback_api("https://service.example/complaints", "token-123", secret_box, callback_type="complaint")
    one_by_one, live_a, history_a = scenario(rows)
    batched, live_b, history_b = scenario(rows)

    expected = [apply_receipt(rows.db, secret_box, receipt) for receipt in one_by_one]
    outcomes = apply_receipts(rows.db, secret_box, batched)

    assert summary(outcomes) == summary(expected)
    assert observed(rows, live_b, history_b) == observed(rows, live_a, history_a)
    assert [o.result for o in outcomes] == [
        "updated", "updated", "updated", "duplicate", "updated", "updated", "duplicate", "updated", "not_found",
        "updated", "complaint", "ignored", "duplicate", "updated"]
    assert observed(rows, live_b, history_b) == [
        ("delivered", "mmg", True), ("temporary-failure", "firetext", True), ("delivered", "mmg", True),
        ("delivered", None, False), ("technical-failure", "mmg", True), ("delivered", "firetext", True),
        ("delivered", "ses", True), ("delivered", None, False), "permanent-failure"]


def test_a_notification_with_pending_then_final_in_one_batch_gets_one_callback(rows, secret_box):
    rows.callback_api("https://service.example/callback", "token-123", secret_box)
    notification_id = rows.notification(status="sending")

    pending, final = apply_receipts(rows.db, secret_box, [sms("firetext", notification_id, "2"),
                                                           sms("firetext", notification_id, "0")])

    assert (pending.status, pending.callbacks) == ("pending", ())
    assert [c.payload["status"] for c in final.callbacks] == ["delivered"]


def test_a_batch_of_receipts_for_different_notifications_is_applied_in_a_few_statements(rows, secret_box):
    notification_ids = [rows.notification(status="sending") for _ in range(20)]
    statements = []
    event.listen(rows.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    outcomes = apply_receipts(rows.db, secret_box, [sms("mmg", n, "3", "2") for n in notification_ids])
    applied_with = list(statements)

    assert {o.result for o in outcomes} == {"updated"}
    assert {rows.status_of(n).status for n in notification_ids} == {"delivered"}
    # The locking read (with the callback lookup) and one UPDATE for the whole batch: not 20 of each.
    assert len(applied_with) == 2, applied_with
