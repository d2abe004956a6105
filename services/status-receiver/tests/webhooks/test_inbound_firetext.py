import pytest

from notify_shared import queues
from notify_status_receiver.inbound_messages import read_inbound_envelope

from ..conftest import FIRETEXT_INBOUND_AUTH, basic_auth

INBOUND = {"source": "07700900123", "destination": "07700900500", "message": "this is a message",
           "time": "2026-01-10 12:00:00"}


def test_a_firetext_inbound_text_is_answered_ok_and_queued(inbound_client, read_messages, secret_box):
    response = inbound_client.post("/notifications/sms/receive/firetext", data=INBOUND,
                                   headers=basic_auth(*FIRETEXT_INBOUND_AUTH))

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    text = read_inbound_envelope(message, secret_box)
    assert (text.provider, text.notify_number, text.user_number) == ("firetext", "07700900500", "447700900123")
    assert text.content == "this is a message"
    assert text.provider_reference is None
    assert text.provider_date.isoformat() == "2026-01-10T12:00:00+00:00"  # GMT


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401),
    (basic_auth("notify", "wrong"), 403),
    (basic_auth(*FIRETEXT_INBOUND_AUTH), 200),
])
def test_a_firetext_inbound_text_needs_the_configured_basic_auth(inbound_client, bus, headers, status):
    response = inbound_client.post("/notifications/sms/receive/firetext", data=INBOUND, headers=headers)

    assert response.status_code == status
    assert bus.published == (1 if status == 200 else 0)


def test_a_firetext_inbound_text_without_a_sender_is_rejected(inbound_client, bus):
    response = inbound_client.post("/notifications/sms/receive/firetext", headers=basic_auth(*FIRETEXT_INBOUND_AUTH),
                                   data={k: v for k, v in INBOUND.items() if k != "source"})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "Firetext inbound SMS callback failed: source missing"
    assert bus.published == 0
