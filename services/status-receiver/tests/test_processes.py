"""The real processes, started with the stack's command lines: webhooks → receipts worker → callbacks worker."""
import json
import uuid

import pytest
import requests

from notify_devstack.processes import process_specs
from notify_shared.models import InboundSms
from notify_testkit.processes import wait_until

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def specs(ports):
    return {spec.name: spec for spec in process_specs(ports)}


@pytest.fixture
def receiver_url(ports) -> str:
    return f"http://127.0.0.1:{ports.status_receiver}"


def status_of(rows, notification_id):
    return rows.status_of(notification_id).status


def test_receipts_posted_to_the_webhooks_are_applied_forward_only_by_the_receipts_worker(
        rows, processes, specs, receiver_url):
    processes.start(specs["status-receiver"])
    processes.start(specs["receipts-worker"])
    delivered, permanent, temporary = (rows.notification(status="sending") for _ in range(3))
    email_reference = f"ses-{uuid.uuid4()}"
    bounced = rows.notification(status="sending", notification_type="email", reference=email_reference,
                                to="someone@example.com")
    ses_event = {"notificationType": "Bounce", "bounce": {"bounceType": "Transient"},
                 "mail": {"messageId": email_reference, "timestamp": "2026-05-01T12:00:00.000Z"}}

    answers = [
        requests.post(f"{receiver_url}/notifications/sms/mmg", json={"CID": str(delivered), "status": 3,
                                                                     "substatus": 2}, timeout=5),
        requests.post(f"{receiver_url}/notifications/sms/firetext", data={"reference": str(permanent), "status": "1",
                                                                          "code": "101"}, timeout=5),
        requests.post(f"{receiver_url}/notifications/sms/mmg", json={"CID": str(temporary), "status": "4",
                                                                     "substatus": "6"}, timeout=5),
        requests.post(f"{receiver_url}/notifications/email/ses", timeout=5, data=json.dumps(
            {"Type": "Notification", "TopicArn": "arn:aws:sns:eu-west-2:1:ses", "MessageId": "m-1",
             "Message": json.dumps(ses_event)})),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    expected = {delivered: "delivered", permanent: "permanent-failure", temporary: "temporary-failure",
                bounced: "temporary-failure"}
    wait_until(lambda: {n: status_of(rows, n) for n in expected} == expected, timeout=30,
               message="every receipt applied")

    late = requests.post(f"{receiver_url}/notifications/sms/mmg", json={"CID": str(delivered), "status": "4",
                                                                        "substatus": "6"}, timeout=5)
    assert late.status_code == 200
    wait_until(lambda: "receipt_ignored_not_forward" in processes.tail("receipts-worker", 200), timeout=30,
               message="the late receipt processed")
    assert status_of(rows, delivered) == "delivered"


def test_a_delivery_status_callback_reaches_the_service_with_its_token_and_is_retried_after_a_500(
        rows, secret_box, processes, specs, receiver_url, service_endpoint, ports):
    processes.start(specs["status-receiver"])
    processes.start(specs["receipts-worker"])
    processes.start(specs["callbacks-worker"], extra_env={"CALLBACK_RETRY_DELAY_SECONDS": "1"})
    rows.callback_api(service_endpoint.url, "bearer-token-for-tests", secret_box)
    service_endpoint.statuses = [500, 200]
    notification_id = rows.notification(status="sending", client_reference="order-42")

    answer = requests.post(f"{receiver_url}/notifications/sms/firetext",
                           data={"reference": str(notification_id), "status": "0", "mobile": "447700900123"}, timeout=5)

    assert answer.status_code == 200
    first, second = service_endpoint.wait_for(2, timeout=40)
    assert [r.headers["Authorization"] for r in (first, second)] == ["Bearer bearer-token-for-tests"] * 2
    assert first.body == second.body
    assert {k: second.body[k] for k in ("id", "reference", "to", "status", "notification_type")} == {
        "id": str(notification_id), "reference": "order-42", "to": "+447700900123", "status": "delivered",
        "notification_type": "sms",
    }
    for port in (ports.status_receiver, ports.receipts_worker_health, ports.callbacks_worker_health):
        assert requests.get(f"http://127.0.0.1:{port}/_status/live", timeout=2).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/_status/ready", timeout=5).status_code == 200
    status = requests.get(f"{receiver_url}/_status", timeout=5)
    assert status.status_code == 200 and status.json()["db_version"]


def test_an_inbound_text_is_stored_for_the_service_and_forwarded_to_its_inbound_callback(
        rows, secret_box, processes, specs, receiver_url, service_endpoint):
    credentials = {"INBOUND_SMS_AUTH_CREDENTIALS": "inbound:s3cret-inbound"}
    processes.start(specs["status-receiver"], extra_env=credentials)
    processes.start(specs["receipts-worker"])
    processes.start(specs["callbacks-worker"])
    rows.inbound_number("07700900500")
    rows.callback_api(service_endpoint.url, "inbound-token", secret_box, callback_type="inbound_sms")
    auth = ("inbound", "s3cret-inbound")
    text = {"MSISDN": "447700900123", "Number": "447700900500", "Message": "STOP+please", "ID": "mmg-77",
            "DateRecieved": "2026-01-10+12%3A00%3A00"}

    unauthenticated = requests.post(f"{receiver_url}/notifications/sms/receive/mmg", json=text, timeout=5)
    wrong = requests.post(f"{receiver_url}/notifications/sms/receive/mmg", json=text, auth=("inbound", "x"), timeout=5)
    answer = requests.post(f"{receiver_url}/notifications/sms/receive/mmg", json=text, auth=auth, timeout=5)
    unknown = requests.post(f"{receiver_url}/notifications/sms/receive/firetext", auth=auth, timeout=5, data={
        "source": "07700900123", "destination": "07700900999", "message": "hello?", "time": "2026-01-10 12:00:00"})

    assert [r.status_code for r in (unauthenticated, wrong, answer, unknown)] == [401, 403, 200, 200]
    assert (answer.text, unknown.json()) == ("RECEIVED", {"status": "ok"})
    [request] = service_endpoint.wait_for(1, timeout=30)
    assert request.headers["Authorization"] == "Bearer inbound-token"
    assert {k: v for k, v in request.body.items() if k != "id"} == {
        "source_number": "447700900123", "destination_number": "07700900500", "message": "STOP please",
        "date_received": "2026-01-10T12:00:00.000000Z"}
    with rows.db.session() as session:
        [stored] = session.query(InboundSms).all()
    assert (str(stored.id), stored.service_id) == (request.body["id"], rows.service_id)
    assert secret_box.decrypt(stored.content) == "STOP please"
    wait_until(lambda: "inbound_sms_dropped_unknown_number" in processes.tail("receipts-worker", 200), timeout=30,
               message="the text to an unknown number logged")
