"""The print provider's letter callback: webhook → delivery-receipts → receipt applied to the letter."""
import uuid

import pytest

from notify_shared import queues
from notify_status_receiver.receipts import UPDATED, apply_receipt


def test_a_print_callback_is_answered_200_and_queued_on_delivery_receipts(client, read_messages):
    notification_id = str(uuid.uuid4())

    response = client.post("/notifications/letter/dvla", json={"id": notification_id, "status": "delivered"})

    assert response.status_code == 200 and response.get_json() == {"result": "success"}
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.kind == "letter-receipt" and message.notification_id == notification_id
    assert {k: message.payload[k] for k in ("provider", "reference", "status")} == {
        "provider": "dvla", "reference": notification_id, "status": "delivered"}


@pytest.mark.parametrize(("body", "messages"), [
    ({"status": "delivered"}, ["DVLA callback failed: id missing"]),
    ({"id": "not-a-uuid", "status": "delivered"}, ["DVLA callback failed: id is not a valid UUID"]),
])
def test_a_print_callback_with_bad_fields_is_rejected_in_notifys_envelope(client, bus, body, messages):
    response = client.post("/notifications/letter/dvla", json=body)

    assert response.status_code == 400
    assert response.get_json() == {"status_code": 400,
                                   "errors": [{"error": "BadRequestError", "message": m} for m in messages]}
    assert bus.published == 0


@pytest.mark.parametrize(("callback_status", "expected"), [
    ("delivered", "delivered"), ("technical-failure", "technical-failure"),
    ("DESPATCHED", "delivered"), ("REJECTED", "technical-failure"),
])
def test_a_queued_print_callback_moves_a_sending_letter_to_its_final_status(
        client, read_messages, rows, secret_box, callback_status, expected):
    notification_id = rows.notification(status="sending", notification_type="letter", to="A\nB\nSW1A 1AA")
    client.post("/notifications/letter/dvla", json={"id": str(notification_id), "status": callback_status})
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)

    outcome = apply_receipt(rows.db, secret_box, message)

    assert outcome.result == UPDATED
    row = rows.status_of(notification_id)
    assert row.status == expected and row.completed_at is not None
