"""The walking skeleton: the official client sends through every real process until `delivered`."""
import pytest
from notifications_python_client.notifications import NotificationsAPIClient

from notify_testkit.processes import wait_until

pytestmark = pytest.mark.e2e


def _status(client: NotificationsAPIClient, notification_id: str) -> str:
    return client.get_notification_by_id(notification_id)["status"]


def test_sms_and_email_travel_from_the_api_to_delivered(stack, sample_service):
    client = NotificationsAPIClient(sample_service.api_key, base_url=stack.api_url)

    sms = client.send_sms_notification("07700900123", str(sample_service.sms_template_id),
                                       personalisation={"name": "Ada", "code": "1234"}, reference="e2e-sms")
    email = client.send_email_notification("ada@example.com", str(sample_service.email_template_id),
                                           personalisation={"name": "Ada"}, reference="e2e-email")

    assert sms["content"]["body"] == "Hello Ada, your code is ready."
    assert email["content"]["subject"] == "Hello Ada"
    wait_until(lambda: _status(client, sms["id"]) == "delivered", timeout=60, message="sms delivered")
    wait_until(lambda: _status(client, email["id"]) == "delivered", timeout=60, message="email delivered")

    sms_row = client.get_notification_by_id(sms["id"])
    assert sms_row["reference"] == "e2e-sms"
    assert sms_row["phone_number"] == "07700900123"
    assert sms_row["sent_at"] and sms_row["completed_at"]
    listed = [n["id"] for n in client.get_all_notifications_iterator()]
    assert set(listed) >= {sms["id"], email["id"]}
