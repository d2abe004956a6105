"""Templates through the admin API: every edit a new version, history kept, archiving is an edit too."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def service(admin):
    return admin.create_service(permissions=["sms", "email", "letter"])


def create(admin, service, **fields):
    body = {"name": "Reminder", "template_type": "sms", "content": "Hello ((name))", **fields}
    response = admin.post(f"/services/{service['id']}/templates", body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_a_created_template_is_version_1(admin, service):
    template = create(admin, service, created_by="ops@example.gov.uk")

    assert {k: template[k] for k in ("name", "template_type", "version", "content", "subject", "archived",
                                     "created_by", "postage")} == {
        "name": "Reminder", "template_type": "sms", "version": 1, "content": "Hello ((name))", "subject": None,
        "archived": False, "created_by": "ops@example.gov.uk", "postage": None,
    }
    assert admin.get(f"/services/{service['id']}/templates/{template['id']}").json()["data"] == template


def test_every_edit_is_a_new_version_and_every_version_stays_readable(admin, service):
    template = create(admin, service)
    path = f"/services/{service['id']}/templates/{template['id']}"

    second = admin.post(path, {"content": "Hi ((name))"}).json()["data"]
    third = admin.post(path, {"name": "Renamed"}).json()["data"]
    versions = admin.get(f"{path}/versions").json()["data"]

    assert (second["version"], third["version"]) == (2, 3)
    assert [(v["version"], v["name"], v["content"]) for v in versions] == [
        (3, "Renamed", "Hi ((name))"), (2, "Reminder", "Hi ((name))"), (1, "Reminder", "Hello ((name))")]


def test_an_edit_that_changes_nothing_makes_no_new_version(admin, service):
    template = create(admin, service)

    unchanged = admin.post(f"/services/{service['id']}/templates/{template['id']}", {"content": "Hello ((name))"})

    assert unchanged.status_code == 200
    assert unchanged.json()["data"]["version"] == 1


def test_an_archived_template_is_a_new_version_hidden_from_the_list_and_frozen(admin, service):
    template = create(admin, service)
    path = f"/services/{service['id']}/templates/{template['id']}"

    archived = admin.post(f"{path}/archive").json()["data"]
    edit = admin.post(path, {"content": "too late"})

    assert (archived["archived"], archived["version"]) == (True, 2)
    assert template["id"] not in [t["id"] for t in admin.get(f"/services/{service['id']}/templates").json()["data"]]
    everything = admin.get(f"/services/{service['id']}/templates?include_archived=true").json()["data"]
    assert template["id"] in [t["id"] for t in everything]
    assert edit.status_code == 400
    assert edit.json()["errors"][0]["message"] == "Template has been archived and cannot be edited"


def test_templates_can_be_listed_by_type(admin, service):
    sms = create(admin, service)
    create(admin, service, template_type="email", subject="Hello")

    listed = admin.get(f"/services/{service['id']}/templates?template_type=sms").json()["data"]

    assert [t["id"] for t in listed] == [sms["id"]]


def test_email_and_letter_templates_need_a_subject_and_texts_have_a_length_limit(admin, service):
    email = admin.post(f"/services/{service['id']}/templates",
                       {"name": "e", "template_type": "email", "content": "Body"})
    long_text = admin.post(f"/services/{service['id']}/templates",
                           {"name": "s", "template_type": "sms", "content": "a" * 919})

    assert email.status_code == 400
    assert email.json()["errors"] == [{"error": "ValidationError",
                                       "message": "subject is required for email templates"}]
    assert long_text.json()["errors"] == [{"error": "ValidationError",
                                           "message": "Content has a character count greater than the limit of 918"}]


def test_a_letter_template_gets_second_class_postage_and_keeps_its_contact_block(admin, service):
    letter = create(admin, service, template_type="letter", subject="Your appointment",
                    letter_contact_block="The Office\n1 Street")

    assert (letter["postage"], letter["letter_contact_block"]) == ("second", "The Office\n1 Street")


def test_a_service_cannot_create_templates_of_a_type_it_may_not_send(admin):
    service = admin.create_service(permissions=["email"])

    response = admin.post(f"/services/{service['id']}/templates",
                          {"name": "t", "template_type": "sms", "content": "Hi"})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"error": "BadRequestError",
                                          "message": "Creating sms templates is not allowed"}]


def test_a_template_is_only_reachable_through_its_own_service(admin, service):
    template = create(admin, service)
    other = admin.create_service()

    assert admin.get(f"/services/{other['id']}/templates/{template['id']}").status_code == 404
    assert admin.post(f"/services/{other['id']}/templates/{template['id']}", {"name": "x"}).status_code == 404
    assert admin.get(f"/services/{service['id']}/templates/{uuid.uuid4()}/versions").status_code == 404
