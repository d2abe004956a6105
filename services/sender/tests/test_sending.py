"""The sender process end to end: envelope on SQS -> claim -> provider (the simulator) -> row updated."""
from __future__ import annotations

import re
import time

from sqlalchemy import text

from notify_shared import queues
from notify_shared.models import Notification
from notify_testkit.processes import wait_until


def test_sms_is_handed_to_the_provider_once_with_our_id_and_recorded_as_sending(harness):
    harness.start_simulator()
    harness.start_sender()
    notification_id = harness.create_notification("sms", to="07700 900123")

    harness.publish(notification_id, "sms")
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    assert harness.stats()["sends"] == {str(notification_id): 1}
    [message] = harness.messages(notification_id)
    sent_by = message["provider"]
    assert row.sent_by == sent_by
    assert row.reference == str(notification_id)  # Notify stores our id as the SMS reference
    assert row.billable_units == 1
    assert row.send_attempts == 1
    if sent_by == "mmg":
        assert message["request"] == {"reqType": "BULK", "MSISDN": "447700900123",
                                      "msg": "Hello Ada, your code is ready.", "sender": "notify",
                                      "cid": str(notification_id), "multi": True}
    else:
        assert message["request"] == {"from": "notify", "to": "447700900123",
                                      "message": "Hello Ada, your code is ready.",
                                      "reference": str(notification_id)}


def test_an_international_sms_goes_to_mmg_and_stores_its_billing_facts(harness):
    harness.start_simulator()
    harness.start_sender()
    # 20 + 300 + 22 GSM characters: 3 fragments of 153.
    notification_id = harness.create_notification("sms", to="+33 6 12 34 56 78", international=True,
                                                  personalisation={"name": "x" * 300})
    with harness.db.session() as session:  # as the API stores an international number: not priced yet
        row = session.get(Notification, notification_id)
        assert (row.phone_prefix, row.rate_multiplier) == (None, None)

    harness.publish(notification_id, "sms")
    row = harness.wait_for_status(notification_id, "sent", sent=True)

    [message] = harness.messages(notification_id)
    assert message["provider"] == "mmg"  # the only SMS provider that supports international numbers
    assert message["request"]["MSISDN"] == "33612345678"
    assert (row.sent_by, row.reference, row.billable_units) == ("mmg", str(notification_id), 3)
    assert (row.phone_prefix, row.rate_multiplier) == ("33", 2.0)  # France, from Notify's billing rates
    assert row.sent_at is not None and row.sent_at >= row.created_at


def test_email_goes_through_ses_and_its_message_id_becomes_the_reference(harness):
    harness.start_simulator()
    harness.start_sender(EMAIL_DOMAIN="notify.example")
    notification_id = harness.create_notification(
        "email", to="someone@exämple.com", reply_to_text="replies@example.com",
        one_click_unsubscribe_url="https://example.com/unsubscribe?x=1",
    )

    harness.publish(notification_id, "email")
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    [message] = harness.messages(notification_id)
    assert message["provider"] == "ses"
    assert row.reference == message["provider_reference"]
    assert row.sent_by == "ses"
    request = message["request"]
    assert request["Destination"]["ToAddresses"] == ["someone@xn--exmple-cua.com"]
    assert request["FromEmailAddress"].endswith("@notify.example>")
    assert request["ReplyToAddresses"] == ["replies@example.com"]
    simple = request["Content"]["Simple"]
    assert simple["Subject"]["Data"] == "Hello Ada"
    assert simple["Body"]["Text"]["Data"] == "Dear Ada,\n\nThis is a test."
    assert {"Name": "List-Unsubscribe", "Value": "<https://example.com/unsubscribe?x=1>"} in simple["Headers"]
    assert {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"} in simple["Headers"]


def test_the_same_envelope_delivered_twice_reaches_the_provider_once(harness):
    harness.start_simulator()
    harness.start_sender()
    notification_id = harness.create_notification("sms")

    envelope = harness.publish(notification_id, "sms")
    harness.publish(notification_id, "sms", envelope=envelope)

    harness.wait_for_status(notification_id, "sending", sent=True)
    wait_until(lambda: harness.sender_metric("notify_sender_duplicate_claims_total") >= 1,
               message="the duplicate to be consumed")
    assert harness.stats()["sends"] == {str(notification_id): 1}


def test_a_failing_sms_provider_is_failed_over_within_the_attempt(harness):
    harness.set_priority("mmg", 100)
    harness.set_priority("firetext", 0)  # never chosen first, still there to fail over to
    harness.start_simulator(providers={"mmg": {"fail": True, "status": 500}})
    harness.start_sender()
    notification_id = harness.create_notification("sms")

    harness.publish(notification_id, "sms")
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    assert row.sent_by == "firetext"
    assert row.send_attempts == 1
    stats = harness.stats()
    assert stats["sends"] == {str(notification_id): 1}
    assert stats["rejected"] == {"mmg": 1}


def test_when_every_provider_fails_the_send_is_retried_later_and_then_sent(harness):
    harness.start_simulator(providers={"mmg": {"fail": True}, "firetext": {"fail": True}})
    harness.start_sender()
    notification_id = harness.create_notification("sms")

    harness.publish(notification_id, "sms")

    def released_after_first_attempt():
        row = harness.notification(notification_id)
        return row.status == "sending" and row.claimed_at is None and row.send_attempts == 1
    wait_until(released_after_first_attempt, message="the first attempt to fail on every provider")
    assert harness.stats()["rejected"] == {"mmg": 1, "firetext": 1}
    harness.configure_simulator(providers={"mmg": {"fail": False}, "firetext": {"fail": False}})
    row = harness.wait_for_status(notification_id, "sending", sent=True)

    assert row.send_attempts >= 2
    assert harness.stats()["sends"] == {str(notification_id): 1}


def test_a_provider_rejecting_the_request_is_a_technical_failure_without_retries(harness):
    harness.start_simulator(providers={"ses": {"fail": True, "status": 400}})
    harness.start_sender()
    notification_id = harness.create_notification("email")

    harness.publish(notification_id, "email")
    row = harness.wait_for_status(notification_id, "technical-failure")

    assert row.sent_at is None
    assert row.send_attempts == 1
    time.sleep(2)  # longer than the retry delay: nothing else happens
    assert harness.stats()["rejected"] == {"ses": 1}
    assert harness.notification(notification_id).send_attempts == 1


def test_a_retryable_failure_after_the_budget_is_a_technical_failure(harness):
    harness.start_simulator(providers={"ses": {"fail": True, "status": 503}})
    harness.start_sender(SEND_RETRY_BUDGET_SECONDS="0")
    notification_id = harness.create_notification("email")

    harness.publish(notification_id, "email")

    assert harness.wait_for_status(notification_id, "technical-failure").sent_at is None


def test_test_key_and_research_mode_sends_only_ever_reach_the_simulator(harness, real_provider_trap):
    harness.start_simulator()
    harness.start_sender(MMG_URL=f"{real_provider_trap.url}/mmg", FIRETEXT_URL=f"{real_provider_trap.url}/firetext",
                         SES_ENDPOINT_URL=f"{real_provider_trap.url}/ses")
    test_sms = harness.create_notification("sms", key_type="test")
    test_email = harness.create_notification("email", key_type="test")
    research_sms = harness.create_notification("sms")
    smoke_test_sms = harness.create_notification("sms", to="07700900111")
    live_sms = harness.create_notification("sms")

    harness.publish(test_sms, "sms", queue=queues.RESEARCH_MODE)
    harness.publish(test_email, "email", queue=queues.RESEARCH_MODE)
    harness.publish(research_sms, "sms", queue=queues.RESEARCH_MODE)
    harness.publish(smoke_test_sms, "sms")
    for notification_id in (test_sms, test_email, research_sms, smoke_test_sms):
        harness.wait_for_status(notification_id, "sending", sent=True)
    assert real_provider_trap.hits == []
    assert harness.stats()["sends"] == {str(i): 1 for i in (test_sms, test_email, research_sms, smoke_test_sms)}

    # The control: a live-key text does go to the configured provider URL, and not to the simulator.
    harness.publish(live_sms, "sms")
    wait_until(lambda: real_provider_trap.hits, message="a request at the live provider URL")
    assert str(live_sms) not in harness.stats()["sends"]


def test_a_burst_of_provider_errors_moves_sms_priority_away_once_and_records_why(harness):
    harness.set_priority("mmg", 90)
    harness.set_priority("firetext", 10)
    harness.start_simulator(providers={"mmg": {"fail": True, "status": 503}})
    harness.start_sender(SMS_PROVIDER_ERROR_THRESHOLD="3")
    ids = [harness.create_notification("sms") for _ in range(8)]

    for notification_id in ids:
        harness.publish(notification_id, "sms")
    rows = [harness.wait_for_status(notification_id, "sending", sent=True) for notification_id in ids]
    changes = wait_until(lambda: harness.priority_history(), message="an error-burst priority change")

    assert {row.sent_by for row in rows} == {"firetext"}  # every text failed over within its attempt
    assert harness.priorities() == {"mmg": 80, "firetext": 20}  # one bounded move: the cool-down is 60 s
    assert [(provider, priority) for provider, priority, _ in changes] == [("firetext", 20), ("mmg", 80)]
    reason = changes[0][2]
    assert re.fullmatch(r"error burst: \d+ errors in 60s at mmg; 10 priority points moved to firetext", reason)


def test_hand_over_facts_the_database_cannot_take_are_written_later_without_sending_again(harness):
    harness.start_simulator(latency_ms=1500)
    harness.start_sender(DB_LOCK_TIMEOUT_MS="200", SEND_RECORD_RETRY_DELAY_SECONDS="1")
    notification_id = harness.create_notification("sms")
    harness.publish(notification_id, "sms")
    wait_until(lambda: harness.notification(notification_id).claimed_at is not None, message="the claim")

    # The row is locked while the provider call runs, so writing its result times out, as in an outage.
    with harness.db.session() as session:
        session.execute(text("SELECT 1 FROM notifications WHERE id = :id FOR UPDATE"), {"id": notification_id})
        wait_until(lambda: harness.sender_metric('notify_sender_results_total{result="sent_record_deferred"}') >= 1,
                   timeout=15, message="the hand-over facts to be deferred")

    row = harness.wait_for_status(notification_id, "sending", sent=True, timeout=30)
    assert (row.sent_by, row.reference, row.billable_units) in {("mmg", str(notification_id), 1),
                                                                ("firetext", str(notification_id), 1)}
    assert harness.stats()["sends"] == {str(notification_id): 1}
