import uuid

import pytest

from notify_shared import queues


def test_a_valid_firetext_receipt_is_answered_200_and_queued_on_delivery_receipts(client, read_messages):
    notification_id = str(uuid.uuid4())
    form = {"mobile": "447700900123", "status": "1", "time": "2026-05-01 12:00:00", "reference": notification_id,
            "code": "102"}

    response = client.post("/notifications/sms/firetext", data=form)

    assert response.status_code == 200
    assert response.get_json() == {"result": "success"}
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.kind == "sms-receipt"
    assert message.notification_id == notification_id
    assert {k: message.payload[k] for k in ("provider", "reference", "status", "code", "provider_timestamp")} == {
        "provider": "firetext", "reference": notification_id, "status": "1", "code": "102",
        "provider_timestamp": "2026-05-01 12:00:00",
    }


@pytest.mark.parametrize(("form", "messages"), [
    ({"reference": "abc", "mobile": "447700900123"}, ["Firetext callback failed: status missing"]),
    ({"status": "0"}, ["Firetext callback failed: reference missing"]),
    ({}, ["Firetext callback failed: status missing", "Firetext callback failed: reference missing"]),
])
def test_a_firetext_receipt_missing_fields_is_rejected_with_notifys_messages(client, bus, form, messages):
    response = client.post("/notifications/sms/firetext", data=form)

    assert response.status_code == 400
    assert response.get_json() == {
        "status_code": 400,
        "errors": [{"error": "BadRequestError", "message": m} for m in messages],
    }
    assert bus.published == 0
