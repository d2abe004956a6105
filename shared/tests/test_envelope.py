import pytest

from notify_shared.envelope import Envelope, EnvelopeError


def test_envelope_round_trips_through_a_dict():
    envelope = Envelope(kind="send-email", notification_id="abc", attempt=2, request_id="r", payload={"x": 1})
    assert Envelope.from_dict(envelope.to_dict()) == envelope


@pytest.mark.parametrize("body", [
    [],
    {"version": 99, "kind": "x"},
    {"version": 1},
    {"version": 1, "kind": "x", "payload": []},
])
def test_messages_that_are_not_our_envelope_are_rejected(body):
    with pytest.raises(EnvelopeError):
        Envelope.from_dict(body)


def test_next_attempt_keeps_ids_and_gets_a_new_message_id():
    first = Envelope(kind="send-sms", notification_id="n1", request_id="r1")
    second = first.next_attempt(provider="firetext")
    assert (second.notification_id, second.request_id, second.attempt) == ("n1", "r1", 1)
    assert second.payload == {"provider": "firetext"}
    assert second.message_id != first.message_id
