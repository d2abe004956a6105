"""GET /v2/templates, GET /v2/template/{id}[/version/{v}], through the official client against the real API."""
from __future__ import annotations

import re
import uuid

import pytest
from notifications_python_client.errors import HTTPError
from sqlalchemy import select

from notify_shared import provisioning
from notify_shared.models import Template
from notify_testkit.fixtures import make_service

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
TEMPLATE_FIELDS = {"id", "type", "created_at", "updated_at", "created_by", "version", "body", "subject", "name",
                   "personalisation", "postage", "letter_contact_block"}


def edit_template(db, template_id, **changes) -> None:
    with db.session() as session:
        template = session.execute(select(Template).where(Template.id == template_id)).scalar_one()
        provisioning.update_template(session, template, **changes)


def test_a_template_reads_back_field_by_field(notify_client, sample_service):
    client = notify_client(sample_service.api_key)

    email = client.get_template(str(sample_service.email_template_id))

    assert set(email) == TEMPLATE_FIELDS
    assert TIMESTAMP.match(email["created_at"])
    assert {k: v for k, v in email.items() if k != "created_at"} == {
        "id": str(sample_service.email_template_id), "type": "email", "updated_at": None, "created_by": None,
        "version": 1, "body": "Dear ((name)),\n\nThis is a test.", "subject": "Hello ((name))", "name": "email",
        "personalisation": {"name": {"required": True}}, "postage": None, "letter_contact_block": None,
    }


def test_texts_have_no_subject_and_conditional_placeholders_are_listed_by_name(notify_client, sample_service):
    sms = notify_client(sample_service.api_key).get_template(str(sample_service.sms_template_id))

    assert (sms["type"], sms["subject"], sms["postage"]) == ("sms", None, None)
    assert sms["personalisation"] == {"name": {"required": True}, "code": {"required": True}}


def test_letters_show_subject_and_postage(notify_client, sample_service):
    letter = notify_client(sample_service.api_key).get_template(str(sample_service.letter_template_id))

    assert (letter["type"], letter["subject"], letter["postage"]) == ("letter", "Letter for ((name))", "second")


def test_every_version_of_an_edited_template_can_be_read(notify_client, sample_service, db):
    edit_template(db, sample_service.sms_template_id, content="Hi ((first_name))")
    client = notify_client(sample_service.api_key)

    latest = client.get_template(str(sample_service.sms_template_id))
    first = client.get_template_version(str(sample_service.sms_template_id), 1)
    second = client.get_template_version(str(sample_service.sms_template_id), 2)

    assert (latest["version"], latest["body"]) == (2, "Hi ((first_name))")
    assert latest["personalisation"] == {"first_name": {"required": True}}
    assert TIMESTAMP.match(latest["updated_at"])
    assert (first["version"], first["body"]) == (1, "Hello ((name)), your code is ((code??ready)).")
    assert second == latest


def test_the_list_has_every_live_template_by_name_and_filters_by_type(notify_client, sample_service, db):
    with db.session() as session:
        provisioning.create_template(session, service_id=sample_service.id, name="another sms", template_type="sms",
                                     content="Plain")
        archived = provisioning.create_template(session, service_id=sample_service.id, name="old",
                                                template_type="sms", content="Gone")
        archived.archived = True
    client = notify_client(sample_service.api_key)

    everything = client.get_all_templates()["templates"]
    texts = client.get_all_templates(template_type="sms")["templates"]

    assert [t["name"] for t in everything] == ["another sms", "email", "letter", "sms"]
    assert all(set(t) == TEMPLATE_FIELDS for t in everything)
    assert [t["name"] for t in texts] == ["another sms", "sms"]
    assert client.get_all_templates(template_type="letter")["templates"][0]["id"] == str(
        sample_service.letter_template_id)


def test_an_archived_template_can_still_be_read_by_id(notify_client, sample_service, db):
    with db.session() as session:
        session.get(Template, sample_service.sms_template_id).archived = True

    assert notify_client(sample_service.api_key).get_template(str(sample_service.sms_template_id))["name"] == "sms"


def test_template_errors_are_notify_shaped(notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    tid = str(sample_service.sms_template_id)

    def error(call, *args) -> tuple[int, list[dict]]:
        with pytest.raises(HTTPError) as excinfo:
            call(*args)
        return excinfo.value.status_code, excinfo.value.message

    assert error(client.get_template, "not-a-uuid") == (
        400, [{"error": "ValidationError", "message": "id is not a valid UUID"}])
    assert error(client.get_template, str(uuid.uuid4())) == (
        404, [{"error": "NoResultFound", "message": "No result found"}])
    assert error(client.get_template_version, tid, 2) == (404, [{"error": "NoResultFound",
                                                                 "message": "No result found"}])
    assert error(client.get_template_version, tid, 0) == (
        400, [{"error": "ValidationError", "message": "version 0 is less than the minimum of 1"}])
    assert error(client.get_template_version, tid, "two")[0] == 404
    assert error(client.get_all_templates, "fax") == (
        400, [{"error": "ValidationError", "message": "type fax is not one of [sms, email, letter]"}])


def test_a_service_never_sees_another_services_templates(notify_client, sample_service, db, secret_box):
    other = make_service(db, secret_box)
    client = notify_client(sample_service.api_key)

    listed = {t["id"] for t in client.get_all_templates()["templates"]}
    for call, args in ((client.get_template, (str(other.sms_template_id),)),
                       (client.get_template_version, (str(other.sms_template_id), 1)),
                       (client.post_template_preview, (str(other.sms_template_id), {"name": "A", "code": "1"}))):
        with pytest.raises(HTTPError) as excinfo:
            call(*args)
        assert excinfo.value.status_code == 404

    assert listed == {str(sample_service.sms_template_id), str(sample_service.email_template_id),
                      str(sample_service.letter_template_id)}
