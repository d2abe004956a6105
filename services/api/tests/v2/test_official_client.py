"""Every public method of the official notifications-python-client, once each, against the running API.

The detailed behaviour of each lives in the endpoint's own tests; this is the client's contract in one
place, including the methods this server answers with a clear refusal.
"""
from __future__ import annotations

import io

import pytest
from notifications_python_client import prepare_upload
from notifications_python_client.errors import HTTPError

LETTER = {"address_line_1": "Ada", "address_line_2": "1 Street", "postcode": "SW1A 1AA", "name": "Ada"}


def error_of(call, *args, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(HTTPError) as excinfo:
        call(*args, **kwargs)
    [error] = excinfo.value.message
    return excinfo.value.status_code, error["error"], error["message"]


def test_every_method_of_the_official_client(notify_client, sample_service, add_received_text):
    client = notify_client(sample_service.api_key)
    sms_template, email_template = str(sample_service.sms_template_id), str(sample_service.email_template_id)
    add_received_text(sample_service.id, "Hi")

    sms = client.send_sms_notification("07700900456", sms_template, {"name": "Ada", "code": "1"}, reference="r1")
    email = client.send_email_notification("ada@example.com", email_template, {"name": "Ada"}, reference="r2")
    letter = client.send_letter_notification(str(sample_service.letter_template_id), LETTER, reference="r3")

    assert client.get_notification_by_id(sms["id"])["reference"] == "r1"
    assert {n["id"] for n in client.get_all_notifications()["notifications"]} == {
        sms["id"], email["id"], letter["id"]}
    assert [n["id"] for n in client.get_all_notifications_iterator(template_type="email")] == [email["id"]]
    assert client.get_all_notifications(include_jobs=True)["links"]["current"].endswith("include_jobs=True")
    assert [t["content"] for t in client.get_received_texts()["received_text_messages"]] == ["Hi"]
    assert [t["content"] for t in client.get_received_texts_iterator()] == ["Hi"]
    assert client.get_template(sms_template)["id"] == sms_template
    assert client.get_template_version(sms_template, 1)["version"] == 1
    assert len(client.get_all_templates()["templates"]) == 3
    assert client.post_template_preview(email_template, {"name": "Ada"})["subject"] == "Hello Ada"
    assert error_of(client.get_pdf_for_letter, letter["id"]) == (
        400, "PDFNotReadyError", "PDF not available yet, try again later")
    # Files by email need the upload_document permission (test_send_a_file.py). Precompiled letters that
    # are accepted, and every other refusal: services/api/tests/letters/test_precompiled.py.
    assert error_of(client.send_precompiled_letter_notification, "r4", io.BytesIO(b"%PDF-1.4 ...")) == (
        400, "BadRequestError", "Letter content is not a valid PDF")
    assert error_of(client.send_email_notification, "ada@example.com", email_template,
                    {"name": prepare_upload(io.BytesIO(b"a,b\n"), filename="a.csv")})[2] == (
        "Service is not allowed to send documents")
    # An admin endpoint in Notify too (it answers service keys with 401); this server has no such route.
    assert error_of(client.get_all_template_versions, sms_template)[:2] == (404, "NotFound")
