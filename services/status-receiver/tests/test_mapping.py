import pytest

from notify_status_receiver.mapping import (
    COMPLAINT,
    IGNORED,
    MappedStatus,
    map_firetext,
    map_mmg,
    map_receipt,
    map_ses,
    resolve_status,
)


@pytest.mark.parametrize(("status", "substatus", "expected", "reason"), [
    ("3", "2", "delivered", "Delivered to operator"),
    ("3", "5", "delivered", "Delivered to handset"),
    ("4", "6", "temporary-failure", "Absent Subscriber"),
    ("4", "15", "temporary-failure", "Expired"),
    ("2", "1", "permanent-failure", "Number does not exist"),
    ("2", "4", "permanent-failure", "Rejected by operator"),
    ("5", "11", "permanent-failure", "Sender id not registered"),
    ("5", "52", "permanent-failure", "Invalid destination"),
    ("3", "999", "delivered", None),
    ("3", None, "delivered", None),
])
def test_mmg_status_and_substatus_map_to_notifys_statuses(status, substatus, expected, reason):
    assert map_mmg(status, substatus) == MappedStatus(expected, reason)


@pytest.mark.parametrize(("status", "code", "expected", "reason"), [
    ("0", None, "delivered", None),
    ("0", "000", "delivered", "No error reported"),
    ("2", None, "pending", None),
    ("1", "101", "permanent-failure", "Unknown Subscriber"),
    ("1", "201", "permanent-failure", "Invalid Number"),
    ("1", "301", "permanent-failure", "SMS Not Supported"),
    ("1", "401", "permanent-failure", "Message Rejected"),
    ("1", "000", "temporary-failure", "No error reported"),
    ("1", "102", "temporary-failure", "Absent Subscriber"),
    ("1", "103", "temporary-failure", "Subscriber Busy"),
    ("1", "104", "temporary-failure", "No Subscriber Memory"),
    ("1", "302", "temporary-failure", "SMS Not Supported"),
    ("1", "900", "temporary-failure", "Routing Error"),
])
def test_firetext_status_and_code_map_to_notifys_statuses(status, code, expected, reason):
    mapped = map_firetext(status, code)

    assert (mapped.status, mapped.reason, mapped.recognised) == (expected, reason, True)


def test_a_firetext_failure_without_a_known_code_is_temporary_after_pending_and_permanent_otherwise():
    mapped = map_firetext("1", "555")

    assert resolve_status(mapped, "pending") == "temporary-failure"
    assert resolve_status(mapped, "sending") == "permanent-failure"


@pytest.mark.parametrize(("event_type", "bounce_type", "expected"), [
    ("Delivery", None, "delivered"),
    ("Bounce", "Permanent", "permanent-failure"),
    ("Bounce", "Transient", "temporary-failure"),
    ("Bounce", "Undetermined", "temporary-failure"),
    ("Complaint", None, COMPLAINT),
    ("Open", None, IGNORED),
    ("DeliveryDelay", None, IGNORED),
    ("Reject", None, "technical-failure"),
])
def test_ses_events_map_to_notifys_statuses(event_type, bounce_type, expected):
    assert map_ses(event_type, bounce_type).status == expected


@pytest.mark.parametrize("payload", [
    {"provider": "mmg", "status": "7", "substatus": "1"},
    {"provider": "firetext", "status": "9"},
    {"provider": "ses", "event_type": "Mystery"},
    {"provider": "carrier-pigeon", "status": "0"},
])
def test_unknown_codes_become_technical_failure_and_are_flagged(payload):
    mapped = map_receipt(payload)

    assert mapped.status == "technical-failure"
    assert mapped.recognised is False
