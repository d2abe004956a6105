import json

import pytest

from notify_shared import queues
from notify_status_receiver.inbound_messages import INBOUND_SMS_KIND, read_inbound_envelope

from ..conftest import MMG_INBOUND_AUTH, basic_auth

INBOUND = {"MSISDN": "447700900123", "Number": "447700900500", "Message": "Yes+please%2C+cancel+%F0%9F%93%A9",
           "ID": "mmg-inbound-1", "DateRecieved": "2026-05-21+11%3A56%3A11"}


def post(client, body, headers=None):
    return client.post("/notifications/sms/receive/mmg", data=json.dumps(body), content_type="application/json",
                       headers=headers if headers is not None else basic_auth(*MMG_INBOUND_AUTH))


def test_an_mmg_inbound_text_is_answered_received_and_queued_with_its_text_sealed(inbound_client, read_messages,
                                                                                 secret_box):
    response = post(inbound_client, INBOUND)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "RECEIVED")
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.kind == INBOUND_SMS_KIND
    assert "447700900123" not in json.dumps(message.payload)  # personal data travels sealed
    assert "cancel" not in json.dumps(message.payload)
    text = read_inbound_envelope(message, secret_box)
    assert (text.provider, text.notify_number, text.user_number) == ("mmg", "447700900500", "447700900123")
    assert text.content == "Yes please, cancel 📩"
    assert text.provider_reference == "mmg-inbound-1"
    assert text.provider_date.isoformat() == "2026-05-21T10:56:11+00:00"  # BST → UTC


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401),
    ({"Authorization": "Bearer something"}, 401),
    (basic_auth("mmg-user", "wrong"), 403),
    (basic_auth("someone-else", MMG_INBOUND_AUTH[1]), 403),
    (basic_auth(*MMG_INBOUND_AUTH), 200),
])
def test_an_mmg_inbound_text_needs_the_configured_basic_auth(inbound_client, bus, headers, status):
    assert post(inbound_client, INBOUND, headers).status_code == status
    assert bus.published == (1 if status == 200 else 0)


def test_without_inbound_credentials_configured_every_inbound_text_is_refused(client, bus):
    assert post(client, INBOUND, {}).status_code == 401
    assert post(client, INBOUND, basic_auth(*MMG_INBOUND_AUTH)).status_code == 403
    assert bus.published == 0


def test_an_mmg_inbound_text_without_a_number_is_rejected(inbound_client, bus):
    response = post(inbound_client, {k: v for k, v in INBOUND.items() if k != "Number"})

    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"error": "BadRequestError", "message": "MMG inbound SMS callback failed: Number missing"}]
    assert bus.published == 0
