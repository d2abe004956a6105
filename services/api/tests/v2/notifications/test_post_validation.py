"""Request validation, field by field, with Notify's ValidationError messages (official client, real process)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from notifications_python_client.errors import HTTPError


def errors_for(client, path: str, body: dict) -> list[dict]:
    with pytest.raises(HTTPError) as excinfo:
        client.post(path, data=body)
    assert excinfo.value.status_code == 400
    return excinfo.value.message


def validation_messages(client, path: str, body: dict) -> list[str]:
    errors = errors_for(client, path, body)
    assert {e["error"] for e in errors} == {"ValidationError"}
    return [e["message"] for e in errors]


@pytest.fixture
def client(notify_client, sample_service):
    return notify_client(sample_service.api_key)


@pytest.fixture
def sms(sample_service) -> dict:
    return {"phone_number": "07700900456", "template_id": str(sample_service.sms_template_id),
            "personalisation": {"name": "Ada", "code": "1"}}


@pytest.fixture
def email(sample_service) -> dict:
    return {"email_address": "ada@example.com", "template_id": str(sample_service.email_template_id),
            "personalisation": {"name": "Ada"}}


SMS = "/v2/notifications/sms"
EMAIL = "/v2/notifications/email"


def test_required_fields_are_named(client):
    assert validation_messages(client, SMS, {}) == [
        "phone_number is a required property", "template_id is a required property"]
    assert validation_messages(client, EMAIL, {}) == [
        "email_address is a required property", "template_id is a required property"]


def test_template_id_must_be_a_uuid(client, sms):
    assert validation_messages(client, SMS, {**sms, "template_id": "not-a-uuid"}) == [
        "template_id is not a valid UUID"]
    assert validation_messages(client, SMS, {**sms, "template_id": 42}) == ["template_id is not a valid UUID"]


def test_unknown_fields_are_refused(client, sms):
    assert validation_messages(client, SMS, {**sms, "colour": "blue"}) == [
        "Additional properties are not allowed (colour was unexpected)"]


@pytest.mark.parametrize("number, message", [
    ("020 7946 0000", "phone_number Not a UK mobile number"),
    ("07700 90045", "phone_number Not enough digits"),
    ("07700 9004567", "phone_number Too many digits"),
    ("07700 90045a", "phone_number Must not contain letters or symbols"),
])
def test_phone_numbers_are_validated_with_notify_messages(client, sms, number, message):
    assert validation_messages(client, SMS, {**sms, "phone_number": number}) == [message]


def test_email_addresses_are_validated(client, email):
    for bad in ("not-an-email", "ada@", "ada@@example.com", "ada@example"):
        assert validation_messages(client, EMAIL, {**email, "email_address": bad}) == [
            "email_address Not a valid email address"]


def test_reference_may_be_up_to_1000_characters(client, sms):
    too_long = "r" * 1001

    assert validation_messages(client, SMS, {**sms, "reference": too_long}) == [f"reference {too_long} is too long"]
    assert client.post(SMS, data={**sms, "reference": "r" * 1000})["reference"] == "r" * 1000


def test_personalisation_must_be_an_object(client, sms):
    assert validation_messages(client, SMS, {**sms, "personalisation": "Ada"}) == [
        "personalisation should contain key value pairs"]


def test_sender_and_reply_to_ids_must_be_uuids(client, sms, email):
    assert validation_messages(client, SMS, {**sms, "sms_sender_id": "x"}) == ["sms_sender_id is not a valid UUID"]
    assert validation_messages(client, EMAIL, {**email, "email_reply_to_id": "x"}) == [
        "email_reply_to_id is not a valid UUID"]


def test_one_click_unsubscribe_url_must_be_https(client, email):
    for bad in ("http://example.com/unsubscribe", "not a url", "https://"):
        assert validation_messages(client, EMAIL, {**email, "one_click_unsubscribe_url": bad}) == [
            "one_click_unsubscribe_url is not a valid https url"]


def test_scheduled_for_is_validated_but_always_answered_null(client, sms):
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    too_far = (datetime.now(UTC) + timedelta(hours=25)).isoformat()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    assert validation_messages(client, SMS, {**sms, "scheduled_for": past}) == [
        "scheduled_for datetime can not be in the past"]
    assert validation_messages(client, SMS, {**sms, "scheduled_for": too_far}) == [
        "scheduled_for datetime can only be 24 hours in the future"]
    assert validation_messages(client, SMS, {**sms, "scheduled_for": "tomorrow"}) == [
        "scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, "
        "https://en.wikipedia.org/wiki/ISO_8601"]
    assert client.post(SMS, data={**sms, "scheduled_for": soon})["scheduled_for"] is None


def test_every_problem_is_reported_at_once(client):
    messages = validation_messages(client, SMS, {"phone_number": "123", "template_id": "x", "extra": 1})

    assert set(messages) == {
        "phone_number Not enough digits",
        "template_id is not a valid UUID",
        "Additional properties are not allowed (extra was unexpected)",
    }


def test_a_json_body_that_is_not_an_object_is_a_validation_error(client):
    assert validation_messages(client, SMS, ["07700900456"]) == ["[07700900456] is not of type object"]


def test_a_precompiled_letter_that_is_not_a_pdf_is_a_bad_request(client):
    # "%PDF-" and nothing after it. The other precompiled cases: services/api/tests/letters/.
    errors = errors_for(client, "/v2/notifications/letter", {"reference": "r", "content": "JVBERi0="})

    assert errors == [{"error": "BadRequestError", "message": "Letter content is not a valid PDF"}]


def test_send_a_file_needs_the_upload_document_permission(client, email):
    # More send-a-file cases: test_send_a_file.py.
    upload = {"file": "aGVsbG8=", "filename": "a.txt", "confirm_email_before_download": None,
              "retention_period": None}

    errors = errors_for(client, EMAIL, {**email, "personalisation": {"name": upload}})

    assert errors == [{"error": "BadRequestError", "message": "Service is not allowed to send documents"}]


def test_a_well_formed_unknown_template_id_is_a_bad_request(client, sms):
    errors = errors_for(client, SMS, {**sms, "template_id": str(uuid.uuid4())})

    assert errors == [{"error": "BadRequestError", "message": "Template not found"}]
