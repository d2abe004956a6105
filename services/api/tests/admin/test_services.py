"""POST/GET /admin/services: create, read and update services, validated like every Notify request."""
from __future__ import annotations

import re
import uuid

import pytest
from notifications_python_client.errors import HTTPError
from sqlalchemy import select

from notify_shared.models import Service, ServiceDataRetention, ServiceSmsSender

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def errors(response) -> list[tuple[str, str]]:
    body = response.json()
    assert body["status_code"] == response.status_code
    return [(e["error"], e["message"]) for e in body["errors"]]


def test_a_created_service_is_answered_stored_and_readable(admin, db):
    name = f"Tax reminders {uuid.uuid4().hex[:8]}"
    response = admin.post("/services", {
        "name": name, "restricted": False, "permissions": ["sms", "email", "international_sms"],
        "sms_sender": "TAXOFFICE", "rate_limit": 600, "sms_message_limit": 1000, "email_message_limit": 2000,
        "letter_message_limit": 30, "international_sms_message_limit": 5, "prefix_sms": True,
        "contact_link": "https://example.gov.uk/contact", "data_retention": {"sms": 10, "email": 30},
    })

    assert response.status_code == 201
    created = response.json()["data"]
    assert TIMESTAMP.match(created["created_at"])
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "email_sender_local_part")} == {
        "name": name, "active": True, "restricted": False, "permissions": ["email", "international_sms", "sms"],
        "rate_limit": 600, "sms_message_limit": 1000, "email_message_limit": 2000, "letter_message_limit": 30,
        "international_sms_message_limit": 5, "prefix_sms": True, "contact_link": "https://example.gov.uk/contact",
        "data_retention": {"email": 30, "sms": 10}, "updated_at": None,
    }
    assert admin.get(f"/services/{created['id']}").json()["data"] == created
    with db.session() as session:
        service_id = uuid.UUID(created["id"])
        assert session.get(Service, service_id).restricted is False
        senders = session.execute(select(ServiceSmsSender.sms_sender, ServiceSmsSender.is_default)
                                  .where(ServiceSmsSender.service_id == service_id)).all()
        assert [tuple(s) for s in senders] == [("TAXOFFICE", True)]


def test_a_new_service_is_in_trial_mode_with_sms_and_email_unless_told_otherwise(admin):
    service = admin.create_service()

    assert (service["restricted"], service["permissions"], service["data_retention"]) == (True, ["email", "sms"], {})


def test_service_names_are_unique_regardless_of_case(admin):
    service = admin.create_service()

    response = admin.post("/services", {"name": service["name"].upper()})

    assert response.status_code == 400
    assert errors(response) == [("BadRequestError", f"Duplicate service name '{service['name'].upper()}'")]


def test_every_problem_in_a_service_body_is_reported_at_once(admin):
    response = admin.post("/services", {
        "permissions": ["sms", "carrier_pigeon"], "rate_limit": 0, "data_retention": {"sms": 1}, "colour": "red",
    })

    assert response.status_code == 400
    assert set(errors(response)) == {
        ("ValidationError", "name is a required property"),
        ("ValidationError", "permissions carrier_pigeon is not one of [email, sms, letter, international_sms, "
                            "international_letters, inbound_sms, upload_document]"),
        ("ValidationError", "rate_limit 0 is less than the minimum of 1"),
        ("ValidationError", "data_retention sms must be a whole number of days from 3 to 90"),
        ("ValidationError", "Additional properties are not allowed (colour was unexpected)"),
    }


def test_a_body_that_is_not_json_is_refused(admin):
    response = admin.post("/services", data=b"{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert errors(response) == [("BadRequestError", "Invalid JSON supplied in POST data")]


def test_an_update_changes_only_the_fields_it_names(admin, db):
    service = admin.create_service(data_retention={"letter": 60})

    response = admin.post(f"/services/{service['id']}", {
        "name": service["name"] + " renamed", "permissions": ["sms", "letter"], "restricted": False,
        "rate_limit": 50, "email_message_limit": 5, "data_retention": {"letter": 90, "sms": 3},
    })

    assert response.status_code == 200
    updated = response.json()["data"]
    assert updated["name"] == service["name"] + " renamed"
    assert (updated["permissions"], updated["restricted"], updated["rate_limit"]) == (["letter", "sms"], False, 50)
    assert (updated["email_message_limit"], updated["sms_message_limit"]) == (5, service["sms_message_limit"])
    assert updated["data_retention"] == {"letter": 90, "sms": 3}
    assert TIMESTAMP.match(updated["updated_at"])
    with db.session() as session:
        rows = session.execute(select(ServiceDataRetention.notification_type, ServiceDataRetention.days_of_retention)
                               .where(ServiceDataRetention.service_id == uuid.UUID(service["id"]))).all()
        assert sorted(tuple(r) for r in rows) == [("letter", 90), ("sms", 3)]


def test_an_empty_update_is_refused(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}", {})

    assert response.status_code == 400
    assert errors(response) == [("ValidationError", "The request must name at least one field to change")]


def test_a_deactivated_service_can_no_longer_use_its_keys(admin, official_client):
    service = admin.create_service()
    key = admin.post(f"/services/{service['id']}/api-keys", {"name": "live", "key_type": "normal"}).json()["data"]
    client = official_client(key["key"])
    assert client.get_all_notifications()["notifications"] == []

    response = admin.post(f"/services/{service['id']}", {"active": False})

    assert response.json()["data"]["active"] is False
    with pytest.raises(HTTPError) as refused:
        client.get_all_notifications()
    assert refused.value.status_code == 403
    assert refused.value.message == [{"error": "AuthError", "message": "Invalid token: service is archived"}]


def test_unknown_services_are_404_and_malformed_ids_are_404(admin):
    unknown = admin.get(f"/services/{uuid.uuid4()}")
    malformed = admin.get("/services/not-a-uuid")
    update_unknown = admin.post(f"/services/{uuid.uuid4()}", {"name": "x"})

    assert (unknown.status_code, errors(unknown)) == (404, [("NoResultFound", "No result found")])
    assert malformed.status_code == 404
    assert errors(update_unknown) == [("NoResultFound", "No result found")]


def test_services_are_listed_oldest_first(admin):
    first, second = admin.create_service(), admin.create_service()

    listed = [s["id"] for s in admin.get("/services").json()["data"]]

    assert listed.index(first["id"]) < listed.index(second["id"])
