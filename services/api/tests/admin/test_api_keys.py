"""API keys through the admin API: the key string is shown once, lists never carry secrets, revocation bites."""
from __future__ import annotations

import uuid

import pytest
from notifications_python_client.errors import HTTPError
from sqlalchemy import select

from notify_shared.models import ApiKey


def test_a_created_key_is_returned_once_and_works_with_the_official_client(admin, official_client, db):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/api-keys", {"name": "Payroll system", "key_type": "normal"})

    assert response.status_code == 201
    key = response.json()["data"]
    assert set(key) == {"id", "service_id", "name", "key_type", "created_at", "expiry_date", "revoked", "key"}
    assert key["key"].startswith(f"payroll_system-{service['id']}-")
    assert official_client(key["key"]).get_all_notifications()["notifications"] == []
    secret = key["key"][-36:]
    with db.session() as session:
        stored = session.execute(select(ApiKey.secret).where(ApiKey.id == uuid.UUID(key["id"]))).scalar_one()
    assert secret not in stored


def test_listed_keys_never_show_a_secret(admin):
    service = admin.create_service()
    created = admin.post(f"/services/{service['id']}/api-keys", {"name": "team", "key_type": "team"}).json()["data"]

    listed = admin.get(f"/services/{service['id']}/api-keys").json()["data"]

    assert listed == [{k: v for k, v in created.items() if k != "key"}]
    assert created["key"][-36:] not in str(listed)


def test_a_revoked_key_is_refused_at_once(admin, official_client):
    service = admin.create_service()
    key = admin.post(f"/services/{service['id']}/api-keys", {"name": "old", "key_type": "normal"}).json()["data"]
    client = official_client(key["key"])
    client.get_all_notifications()

    response = admin.post(f"/services/{service['id']}/api-keys/{key['id']}/revoke")

    assert response.status_code == 200
    assert response.json()["data"]["revoked"] is True
    with pytest.raises(HTTPError) as refused:
        client.get_all_notifications()
    assert refused.value.message == [{"error": "AuthError", "message": "Invalid token: API key revoked"}]


def test_a_key_of_another_service_cannot_be_revoked_through_this_one(admin):
    mine, theirs = admin.create_service(), admin.create_service()
    their_key = admin.post(f"/services/{theirs['id']}/api-keys", {"name": "k", "key_type": "test"}).json()["data"]

    response = admin.post(f"/services/{mine['id']}/api-keys/{their_key['id']}/revoke")

    assert response.status_code == 404
    assert admin.get(f"/services/{theirs['id']}/api-keys").json()["data"][0]["revoked"] is False


def test_a_key_needs_a_known_type_and_a_name(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/api-keys", {"key_type": "admin"})

    assert response.status_code == 400
    assert {e["message"] for e in response.json()["errors"]} == {
        "name is a required property", "key_type admin is not one of [normal, team, test]"}


def test_key_strings_never_reach_the_api_log(admin, admin_api):
    service = admin.create_service()
    key = admin.post(f"/services/{service['id']}/api-keys", {"name": "k", "key_type": "normal"}).json()["data"]

    assert key["key"][-36:] not in admin_api.log_text()
    assert "admin_change" in admin_api.log_text()
