import uuid

import pytest

from notify_shared import queues

RECEIPT = {"reference": "mmg-ref-1", "MSISDN": "447700900123", "status": 3, "substatus": 2,
           "deliverytime": "2026-05-01 12:00:00"}


def test_a_valid_mmg_receipt_is_answered_200_and_queued_on_delivery_receipts(client, bus, read_messages):
    notification_id = str(uuid.uuid4())

    response = client.post("/notifications/sms/mmg", json={**RECEIPT, "CID": notification_id})

    assert response.status_code == 200
    assert response.get_json() == {"result": "success"}
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.kind == "sms-receipt"
    assert message.notification_id == notification_id
    assert {k: message.payload[k] for k in ("provider", "reference", "status", "substatus", "provider_timestamp")} == {
        "provider": "mmg", "reference": notification_id, "status": "3", "substatus": "2",
        "provider_timestamp": "2026-05-01 12:00:00",
    }
    assert "447700900123" not in str(message.payload)  # no phone numbers on the queue


@pytest.mark.parametrize(("body", "messages"), [
    ({"CID": "abc", "substatus": 2}, ["MMG callback failed: status missing"]),
    ({"status": 3}, ["MMG callback failed: CID missing"]),
    ({"status": "", "CID": ""}, ["MMG callback failed: status missing", "MMG callback failed: CID missing"]),
])
def test_an_mmg_receipt_missing_fields_is_rejected_with_notifys_messages(client, bus, body, messages):
    response = client.post("/notifications/sms/mmg", json=body)

    assert response.status_code == 400
    assert response.get_json() == {
        "status_code": 400,
        "errors": [{"error": "BadRequestError", "message": m} for m in messages],
    }
    assert bus.published == 0


def test_an_mmg_receipt_that_is_not_json_is_rejected(client):
    response = client.post("/notifications/sms/mmg", data="status=3", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"error": "BadRequestError", "message": "MMG callback failed: invalid json"},
    ]
