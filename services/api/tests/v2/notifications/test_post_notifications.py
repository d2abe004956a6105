"""POST /v2/notifications/{sms,email,letter} against the real API process, driven by the official client."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from notifications_python_client.errors import HTTPError

from notify_shared import provisioning, queues
from notify_shared.models import Template
from notify_testkit.fixtures import count_for_service, make_service, stored


def errors_of(excinfo) -> tuple[int, list[dict]]:
    return excinfo.value.status_code, excinfo.value.message


def test_sms_is_answered_201_in_notify_shape_stored_created_and_queued(
        api, notify_client, sample_service, db, secret_box, read_queue):
    client = notify_client(sample_service.api_key, api)

    response = client.send_sms_notification(
        phone_number="07700 900123", template_id=str(sample_service.sms_template_id),
        personalisation={"name": "Ada", "code": "yes"}, reference="ref-sms-1",
    )

    nid = response["id"]
    assert response == {
        "id": nid,
        "reference": "ref-sms-1",
        "uri": f"{api}/v2/notifications/{nid}",
        "template": {
            "id": str(sample_service.sms_template_id),
            "version": 1,
            "uri": f"{api}/services/{sample_service.id}/templates/{sample_service.sms_template_id}",
        },
        "scheduled_for": None,
        "content": {"body": "Hello Ada, your code is ready.", "from_number": "notify"},
    }
    row = stored(db, nid)
    assert row.status == "created"
    assert (row.key_type, row.notification_type, row.template_version) == ("normal", "sms", 1)
    assert (row.to, row.normalised_to, row.client_reference) == ("07700 900123", "447700900123", "ref-sms-1")
    assert json.loads(secret_box.decrypt(row.personalisation)) == {"name": "Ada", "code": "yes"}
    [envelope] = read_queue(queues.SEND_SMS)
    assert (envelope.kind, envelope.notification_id) == ("send-sms", nid)
    assert envelope.request_id


def test_email_is_answered_201_with_content_and_sanitised_content_and_queued(
        api, notify_client, sample_service, db, read_queue):
    client = notify_client(sample_service.api_key, api)

    response = client.send_email_notification(
        email_address="ada@example.com", template_id=str(sample_service.email_template_id),
        personalisation={"name": "Ada"}, reference="ref-email-1",
        one_click_unsubscribe_url="https://example.com/unsubscribe?u=1",
    )

    nid = response["id"]
    assert set(response) == {"id", "reference", "uri", "template", "scheduled_for", "content", "sanitised_content"}
    assert response["content"] == {
        "body": "Dear Ada,\n\nThis is a test.",
        "subject": "Hello Ada",
        "from_email": response["content"]["from_email"],
        "one_click_unsubscribe_url": "https://example.com/unsubscribe?u=1",
    }
    assert response["content"]["from_email"].endswith("@notifications.service.gov.uk")
    assert response["sanitised_content"] == {}
    row = stored(db, nid)
    assert (row.status, row.notification_type, row.to) == ("created", "email", "ada@example.com")
    assert row.one_click_unsubscribe_url == "https://example.com/unsubscribe?u=1"
    [envelope] = read_queue(queues.SEND_EMAIL)
    assert (envelope.kind, envelope.notification_id) == ("send-email", nid)


def test_sanitise_content_for_escapes_markdown_in_the_named_placeholders(notify_client, sample_service):
    response = notify_client(sample_service.api_key).send_email_notification(
        email_address="ada@example.com", template_id=str(sample_service.email_template_id),
        personalisation={"name": "**Ada** see https://evil.example"}, sanitise_content_for=["name"],
    )

    sanitised = "\\*\\*Ada\\*\\* see evil\\.example"
    assert response["sanitised_content"] == {"name": {"unsanitised": "**Ada** see https://evil.example",
                                                      "sanitised": sanitised}}
    assert response["content"]["subject"] == f"Hello {sanitised}"


def test_a_test_key_notification_is_stored_as_test_and_routed_to_research_mode(
        api, notify_client, sample_service, db, read_queue):
    response = notify_client(sample_service.test_api_key, api).send_sms_notification(
        phone_number="07700900456", template_id=str(sample_service.sms_template_id),
        personalisation={"name": "Ada", "code": ""},
    )

    assert stored(db, response["id"]).key_type == "test"
    [envelope] = read_queue(queues.RESEARCH_MODE)
    assert envelope.notification_id == response["id"]


@pytest.mark.parametrize("phone_number", ["07700900000", "+447700900111", "07700 900 222"])
def test_simulated_phone_numbers_are_answered_201_but_nothing_is_stored(
        notify_client, sample_service, db, phone_number):
    client = notify_client(sample_service.api_key)

    response = client.send_sms_notification(phone_number=phone_number, template_id=str(sample_service.sms_template_id),
                                             personalisation={"name": "Ada", "code": "1"})

    assert response["content"]["body"] == "Hello Ada, your code is ready."
    assert count_for_service(db, sample_service.id) == 0
    with pytest.raises(HTTPError) as excinfo:
        client.get_notification_by_id(response["id"])
    assert excinfo.value.status_code == 404


def test_simulated_email_addresses_are_answered_201_but_nothing_is_stored(notify_client, sample_service, db):
    client = notify_client(sample_service.api_key)
    for local in ("simulate-delivered", "simulate-delivered-2", "simulate-delivered-3"):
        response = client.send_email_notification(
            email_address=f"{local}@notifications.service.gov.uk",
            template_id=str(sample_service.email_template_id), personalisation={"name": "Ada"})
        assert response["content"]["subject"] == "Hello Ada"
    assert count_for_service(db, sample_service.id) == 0


def test_team_key_cannot_send_to_recipients_outside_the_team_but_can_to_simulated_ones(
        notify_client, sample_service, db):
    client = notify_client(sample_service.team_api_key)

    with pytest.raises(HTTPError) as excinfo:
        client.send_sms_notification("07700900456", str(sample_service.sms_template_id), {"name": "A", "code": "1"})
    simulated = client.send_sms_notification("07700900000", str(sample_service.sms_template_id),
                                             {"name": "A", "code": "1"})

    assert errors_of(excinfo) == (400, [{"error": "BadRequestError",
                                         "message": "Can’t send to this recipient using a team-only API key"}])
    assert simulated["id"]
    assert count_for_service(db, sample_service.id) == 0


def test_trial_mode_service_cannot_send_to_outside_recipients_with_a_live_key_but_can_with_a_test_key(
        notify_client, db, secret_box):
    trial = make_service(db, secret_box, restricted=True)

    with pytest.raises(HTTPError) as excinfo:
        notify_client(trial.api_key).send_email_notification("ada@example.com", str(trial.email_template_id),
                                                             {"name": "Ada"})
    accepted = notify_client(trial.test_api_key).send_email_notification(
        "ada@example.com", str(trial.email_template_id), {"name": "Ada"})

    assert errors_of(excinfo) == (400, [{
        "error": "BadRequestError",
        "message": "Can’t send to this recipient when service is in trial mode – see "
                   "https://www.notifications.service.gov.uk/trial-mode",
    }])
    assert stored(db, accepted["id"]).key_type == "test"


def test_international_numbers_need_the_international_sms_permission(notify_client, db, secret_box):
    uk_only = make_service(db, secret_box, permissions=["sms", "email"])
    worldwide = make_service(db, secret_box)

    with pytest.raises(HTTPError) as excinfo:
        notify_client(uk_only.api_key).send_sms_notification("+1 202 555 0123", str(uk_only.sms_template_id),
                                                             {"name": "A", "code": "1"})
    accepted = notify_client(worldwide.api_key).send_sms_notification(
        "+1 202 555 0123", str(worldwide.sms_template_id), {"name": "A", "code": "1"})

    assert errors_of(excinfo) == (400, [{"error": "BadRequestError",
                                         "message": "Cannot send to international mobile numbers"}])
    row = stored(db, accepted["id"])
    assert (row.international, row.normalised_to) == (True, "12025550123")


def test_services_without_the_permission_cannot_send_that_type(notify_client, db, secret_box):
    email_only = make_service(db, secret_box, permissions=["email"])
    client = notify_client(email_only.api_key)

    with pytest.raises(HTTPError) as sms:
        client.send_sms_notification("07700900456", str(email_only.sms_template_id), {"name": "A", "code": "1"})
    with pytest.raises(HTTPError) as letter:
        client.send_letter_notification(str(email_only.letter_template_id), {
            "address_line_1": "A", "address_line_2": "B", "address_line_3": "SW1A 1AA", "name": "A"})

    assert errors_of(sms) == (400, [{"error": "BadRequestError",
                                     "message": "Service is not allowed to send text messages"}])
    assert errors_of(letter) == (400, [{"error": "BadRequestError",
                                        "message": "Service is not allowed to send letters"}])


def test_template_problems_are_bad_requests_with_notify_messages(notify_client, sample_service, db):
    client = notify_client(sample_service.api_key)
    with db.session() as session:
        archived = provisioning.create_template(session, service_id=sample_service.id, name="old",
                                                template_type="sms", content="Bye")
        archived.archived = True
        archived_id = str(archived.id)

    cases = {
        str(uuid.uuid4()): "Template not found",
        str(sample_service.email_template_id): "email template is not suitable for sms notification",
        archived_id: "Template has been deleted",
    }
    for template_id, message in cases.items():
        with pytest.raises(HTTPError) as excinfo:
            client.send_sms_notification("07700900456", template_id, {"name": "A", "code": "1"})
        assert errors_of(excinfo) == (400, [{"error": "BadRequestError", "message": message}])


def test_missing_personalisation_names_every_missing_placeholder(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.api_key).send_sms_notification(
            "07700900456", str(sample_service.sms_template_id), {"unrelated": "x"})

    assert errors_of(excinfo) == (400, [{"error": "BadRequestError", "message": "Missing personalisation: name, code"}])


def test_a_template_without_placeholders_needs_no_personalisation(notify_client, sample_service, db):
    with db.session() as session:
        plain = provisioning.create_template(session, service_id=sample_service.id, name="plain",
                                             template_type="sms", content="Your parcel is on its way")

    response = notify_client(sample_service.api_key).send_sms_notification("07700900456", str(plain.id))

    assert response["content"]["body"] == "Your parcel is on its way"
    assert stored(db, response["id"]).personalisation is None


def test_a_text_longer_than_918_characters_is_refused(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.api_key).send_sms_notification(
            "07700900456", str(sample_service.sms_template_id), {"name": "x" * 900, "code": "1"})

    assert errors_of(excinfo) == (400, [{
        "error": "BadRequestError",
        "message": "Your message is too long. Text messages cannot be longer than 918 characters. "
                   "Your message is 927 characters long.",
    }])


def test_unknown_sender_and_reply_to_ids_are_refused(notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    unknown = str(uuid.uuid4())

    with pytest.raises(HTTPError) as sms:
        client.send_sms_notification("07700900456", str(sample_service.sms_template_id), {"name": "A", "code": "1"},
                                     sms_sender_id=unknown)
    with pytest.raises(HTTPError) as email:
        client.send_email_notification("ada@example.com", str(sample_service.email_template_id), {"name": "A"},
                                       email_reply_to_id=unknown)

    assert sms.value.message == [{"error": "BadRequestError", "message":
                                  f"sms_sender_id {unknown} does not exist in database for service id "
                                  f"{sample_service.id}"}]
    assert email.value.message == [{"error": "BadRequestError", "message":
                                    f"email_reply_to_id {unknown} does not exist in database for service id "
                                    f"{sample_service.id}"}]


def test_a_named_reply_to_address_is_stored_on_the_notification(notify_client, sample_service, db):
    with db.session() as session:
        reply_to = provisioning.add_email_reply_to(session, service_id=sample_service.id,
                                                   email_address="help@example.gov.uk")

    response = notify_client(sample_service.api_key).send_email_notification(
        "ada@example.com", str(sample_service.email_template_id), {"name": "A"}, email_reply_to_id=str(reply_to.id))

    assert stored(db, response["id"]).reply_to_text == "help@example.gov.uk"


def test_invalid_json_is_a_400_bad_request_not_a_500(shared_api, sample_service, tokens):
    response = requests.post(f"{shared_api}/v2/notifications/sms", data=b'{"phone_number": "0770',
                             headers={**tokens.bearer(sample_service.api_key), "Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json() == {"status_code": 400, "errors": [
        {"error": "BadRequestError", "message": "Invalid JSON supplied in POST data"}]}


def test_a_letter_is_stored_with_its_address_and_queued_for_the_letter_workers(
        api, notify_client, sample_service, db, read_queue):
    client = notify_client(sample_service.api_key, api)

    response = client.send_letter_notification(str(sample_service.letter_template_id), {
        "address_line_1": "Ada Lovelace", "address_line_2": "1 Test Street", "postcode": "sw1a1aa", "name": "Ada",
    }, reference="letter-1")

    assert response["content"] == {"body": "Dear Ada", "subject": "Letter for Ada"}
    row = stored(db, response["id"])
    assert (row.status, row.notification_type, row.postage) == ("created", "letter", "second")
    assert row.to == "Ada Lovelace\n1 Test Street\nSW1A 1AA"
    [envelope] = read_queue(queues.SEND_LETTER)
    assert (envelope.kind, envelope.notification_id) == ("send-letter", response["id"])

    fetched = client.get_notification_by_id(response["id"])
    assert (fetched["status"], fetched["line_1"], fetched["postcode"]) == ("accepted", "Ada Lovelace", "sw1a1aa")
    assert fetched["estimated_delivery"].endswith("Z")


def test_letter_addresses_follow_notify_rules(notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    cases = [
        ({"address_line_1": "Ada", "postcode": "SW1A 1AA"}, "Address must be at least 3 lines"),
        ({"address_line_1": "Ada", "address_line_2": "Street", "address_line_3": "Nowhere"},
         "Must be a real UK postcode"),
    ]
    for address, message in cases:
        with pytest.raises(HTTPError) as excinfo:
            client.send_letter_notification(str(sample_service.letter_template_id), {**address, "name": "Ada"})
        assert errors_of(excinfo) == (400, [{"error": "ValidationError", "message": message}])


def test_team_keys_cannot_send_letters(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.team_api_key).send_letter_notification(
            str(sample_service.letter_template_id),
            {"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA", "name": "A"})

    assert errors_of(excinfo) == (403, [{"error": "BadRequestError",
                                         "message": "Cannot send letters with a team api key"}])


def test_template_versions_are_recorded_on_the_notification(notify_client, sample_service, db):
    with db.session() as session:
        template = session.get(Template, sample_service.sms_template_id)
        provisioning.update_template(session, template, content="Version two for ((name)) ((code))")

    response = notify_client(sample_service.api_key).send_sms_notification(
        "07700900456", str(sample_service.sms_template_id), {"name": "Ada", "code": "x"})

    assert response["template"]["version"] == 2
    assert stored(db, response["id"]).template_version == 2
