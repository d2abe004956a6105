"""The walking skeleton: the official client sends through every real process until `delivered`."""
import io
import re

import pytest
import requests
from notifications_python_client import prepare_upload
from notifications_python_client.notifications import NotificationsAPIClient

from notify_shared import provisioning
from notify_testkit.fixtures import make_service
from notify_testkit.processes import wait_until

pytestmark = pytest.mark.e2e

FILE_LINK = re.compile(r"https?://[^\s<\"]+/d/[0-9a-f-]{36}/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]+")


@pytest.fixture
def stack_env(stack_env, tmp_path):
    # Files sent by email stay out of the working tree.
    return {**stack_env, "DOCUMENT_STORE_DIR": str(tmp_path / "documents")}


def _status(client: NotificationsAPIClient, notification_id: str) -> str:
    return client.get_notification_by_id(notification_id)["status"]


def test_sms_and_email_travel_from_the_api_to_delivered(stack, sample_service, db, secret_box):
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
    # One stack start serves both: send a file by email through the same processes.
    _send_a_file(stack, db, secret_box)


def _sent_email(simulator_url: str, notification_id: str) -> dict | None:
    found = requests.get(f"{simulator_url}/_messages", params={"id": notification_id}, timeout=5).json()["messages"]
    return found[0]["request"] if found else None


def _send_a_file(stack, db, secret_box) -> None:
    """The link in the email the provider receives downloads the file (docs/send-files-by-email.md)."""
    service = make_service(db, secret_box, permissions=["email", "upload_document"])
    with db.session() as session:
        template = provisioning.create_template(session, service_id=service.id, name="file", template_type="email",
                                                subject="Your file", content="Download it here: ((link))")
    client = NotificationsAPIClient(service.api_key, base_url=stack.api_url)
    pdf = b"%PDF-1.7\n% a file sent by email\n%%EOF\n"

    email = client.send_email_notification("ada@example.com", str(template.id), {"link": prepare_upload(
        io.BytesIO(pdf), filename="letter.pdf", confirm_email_before_download=False)})
    wait_until(lambda: _sent_email(stack.simulator_url, email["id"]) is not None, timeout=60,
               message="file email handed to the provider")
    body = _sent_email(stack.simulator_url, email["id"])["Content"]["Simple"]["Body"]
    [text_link] = FILE_LINK.findall(body["Text"]["Data"])

    assert FILE_LINK.findall(body["Html"]["Data"]) == [text_link]
    assert requests.get(text_link, timeout=10).content == pdf
