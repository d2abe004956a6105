"""Which receipt each recipient gets: Notify's test numbers and simulator addresses."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from notify_simulator.firetext import firetext_receipts
from notify_simulator.mmg import mmg_receipt
from notify_simulator.ses import ses_events, sns_envelope

EMAIL_BODY = {"FromEmailAddress": "s@notify.localhost", "Destination": {"ToAddresses": []},
              "Content": {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}}}


@pytest.mark.parametrize("number, status, substatus", [
    ("447700900001", "3", "2"),  # delivered to operator
    ("447700900003", "4", "6"),  # absent subscriber: temporary-failure
    ("447700900002", "5", "8"),  # incorrect number prefix: permanent-failure
])
def test_mmg_receipt_status_follows_notify_test_numbers(number, status, substatus):
    body = mmg_receipt("ref", "cid", number).json_body

    assert (body["status"], body["substatus"], body["CID"], body["reference"]) == (status, substatus, "cid", "ref")


def test_firetext_delivered_and_permanent_failure_are_one_receipt_each():
    [delivered] = firetext_receipts("r", "447700900001")
    [failed] = firetext_receipts("r", "447700900002")

    assert (delivered.form_body["status"], failed.form_body["status"], failed.form_body["code"]) == ("0", "1", "101")


def test_firetext_temporary_failure_is_pending_then_declined_with_a_temporary_code():
    pending, declined = firetext_receipts("r", "447700900003")

    assert (pending.form_body["status"], declined.form_body["status"], declined.form_body["code"]) == ("2", "1", "102")


@pytest.mark.parametrize("address, kinds, bounce_type", [
    ("someone@example.com", ["Delivery"], None),
    ("perm-fail@simulator.notify", ["Bounce"], "Permanent"),
    ("temp-fail@simulator.notify", ["Bounce"], "Transient"),
    ("complaint@simulator.notify", ["Delivery", "Complaint"], None),
])
def test_ses_events_follow_the_simulator_addresses(address, kinds, bounce_type):
    body = {**EMAIL_BODY, "Destination": {"ToAddresses": [address]}}

    events = ses_events("mid", body, datetime.now(UTC))

    assert [e["notificationType"] for e in events] == kinds
    assert all(e["mail"]["messageId"] == "mid" and e["mail"]["destination"] == [address] for e in events)
    if bounce_type:
        assert events[0]["bounce"]["bounceType"] == bounce_type


def test_the_sns_envelope_carries_the_event_as_a_json_string():
    event = {"notificationType": "Delivery"}

    envelope = sns_envelope(event, "arn:topic")

    assert envelope["Type"] == "Notification" and envelope["TopicArn"] == "arn:topic"
    assert json.loads(envelope["Message"]) == event
