"""Callback URLs and bearer tokens: https only, tokens stored encrypted and never shown or logged."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from notify_shared.models import ServiceCallbackApi

TOKEN = "callback-token-" + uuid.uuid4().hex


def stored_token(db, secret_box, service_id: str, callback_type: str) -> tuple[str, str]:
    with db.session() as session:
        row = session.execute(select(ServiceCallbackApi).where(
            ServiceCallbackApi.service_id == uuid.UUID(service_id),
            ServiceCallbackApi.callback_type == callback_type)).scalar_one()
    return row.bearer_token, secret_box.decrypt(row.bearer_token)


def test_a_callback_is_stored_with_its_token_encrypted_and_answered_without_it(admin, admin_api, db, secret_box):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/callbacks/delivery_status",
                          {"url": "https://service.example.gov.uk/receipts", "bearer_token": TOKEN})

    assert response.status_code == 201
    callback = response.json()["data"]
    assert {k: callback[k] for k in ("callback_type", "url", "bearer_token_set")} == {
        "callback_type": "delivery_status", "url": "https://service.example.gov.uk/receipts",
        "bearer_token_set": True}
    assert TOKEN not in response.text
    encrypted, decrypted = stored_token(db, secret_box, service["id"], "delivery_status")
    assert (TOKEN in encrypted, decrypted) == (False, TOKEN)
    assert TOKEN not in admin.get(f"/services/{service['id']}/callbacks").text
    assert TOKEN not in admin_api.log_text()


def test_changing_only_the_url_keeps_the_token(admin, db, secret_box):
    service = admin.create_service()
    path = f"/services/{service['id']}/callbacks/complaint"
    admin.post(path, {"url": "https://a.example.gov.uk/complaints", "bearer_token": TOKEN})

    response = admin.post(path, {"url": "https://b.example.gov.uk/complaints"})

    assert response.status_code == 200
    assert admin.get(path).json()["data"]["url"] == "https://b.example.gov.uk/complaints"
    assert stored_token(db, secret_box, service["id"], "complaint")[1] == TOKEN


def test_a_new_callback_needs_a_token(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/callbacks/inbound_sms", {"url": "https://x.example.gov.uk"})

    assert response.json()["errors"] == [{"error": "ValidationError", "message": "bearer_token is a required property"}]


def test_plain_http_urls_are_refused(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/callbacks/delivery_status",
                          {"url": "http://service.example.gov.uk/receipts", "bearer_token": TOKEN})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"error": "ValidationError", "message": "url is not a valid https url"}]


def test_a_short_token_is_refused_without_being_repeated(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/callbacks/delivery_status",
                          {"url": "https://x.example.gov.uk", "bearer_token": "tiny-secr"})

    assert response.json()["errors"] == [{"error": "ValidationError",
                                          "message": "bearer_token must be text of 10 to 1000 characters"}]
    assert "tiny-secr" not in response.text


def test_unknown_callback_types_are_refused(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/callbacks/carrier_pigeon",
                          {"url": "https://x.example.gov.uk", "bearer_token": TOKEN})

    assert response.json()["errors"] == [{
        "error": "ValidationError", "message": "callback_type must be one of delivery_status, complaint, inbound_sms"}]


def test_a_deleted_callback_is_gone(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/callbacks/delivery_status"
    admin.post(path, {"url": "https://x.example.gov.uk", "bearer_token": TOKEN})

    deleted = admin.delete(path)

    assert deleted.status_code == 204
    assert admin.get(path).status_code == 404
    assert admin.delete(path).status_code == 404
