"""Text message senders and email reply-to addresses: one default each, kept by Notify's rules."""
from __future__ import annotations


def messages(response) -> list[str]:
    return [e["message"] for e in response.json()["errors"]]


def test_a_new_default_sms_sender_takes_over_from_the_old_one(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/sms-senders"

    added = admin.post(path, {"sms_sender": "07700900111", "is_default": True})
    listed = admin.get(path).json()["data"]

    assert added.status_code == 201
    assert [(s["sms_sender"], s["is_default"]) for s in listed] == [("07700900111", True), ("notify", False)]


def test_the_default_sms_sender_can_be_neither_unset_nor_archived(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/sms-senders"
    default = admin.get(path).json()["data"][0]
    other = admin.post(path, {"sms_sender": "OTHER"}).json()["data"]

    unset = admin.post(f"{path}/{default['id']}", {"is_default": False})
    archive_default = admin.post(f"{path}/{default['id']}/archive")
    archive_other = admin.post(f"{path}/{other['id']}/archive")

    assert (unset.status_code, messages(unset)) == (400, ["You must have at least one SMS sender as the default"])
    assert messages(archive_default) == ["You cannot delete a default sms sender"]
    assert archive_other.json()["data"]["archived"] is True
    assert [s["id"] for s in admin.get(path).json()["data"]] == [default["id"]]


def test_a_sender_may_be_renamed_and_made_default(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/sms-senders"
    other = admin.post(path, {"sms_sender": "OTHER"}).json()["data"]

    updated = admin.post(f"{path}/{other['id']}", {"sms_sender": "RENAMED", "is_default": True}).json()["data"]

    assert (updated["sms_sender"], updated["is_default"]) == ("RENAMED", True)


def test_sms_senders_must_be_short_alphanumeric_ids_or_numbers(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/sms-senders", {"sms_sender": "A sender far too long"})

    assert messages(response) == ["sms_sender must be 3 to 11 letters or digits, or a phone number of up to 15 digits"]


def test_the_first_reply_to_address_becomes_the_default(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/email-reply-to"

    first = admin.post(path, {"email_address": "help@example.gov.uk"}).json()["data"]
    second = admin.post(path, {"email_address": "other@example.gov.uk"}).json()["data"]

    assert (first["is_default"], second["is_default"]) == (True, False)


def test_a_new_default_reply_to_replaces_the_old_and_the_default_goes_last(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/email-reply-to"
    first = admin.post(path, {"email_address": "help@example.gov.uk"}).json()["data"]
    second = admin.post(path, {"email_address": "new@example.gov.uk", "is_default": True}).json()["data"]

    archive_default = admin.post(f"{path}/{second['id']}/archive")
    archive_first = admin.post(f"{path}/{first['id']}/archive")
    archive_last = admin.post(f"{path}/{second['id']}/archive")

    assert messages(archive_default) == [
        "You cannot delete a default email reply to address if other reply to addresses exist"]
    assert archive_first.status_code == 200
    assert archive_last.status_code == 200
    assert admin.get(path).json()["data"] == []


def test_reply_to_addresses_must_be_valid_email_addresses(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/email-reply-to", {"email_address": "not an address"})

    assert (response.status_code, messages(response)) == (400, ["email_address Not a valid email address"])


def test_a_reply_to_address_can_be_changed(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/email-reply-to"
    address = admin.post(path, {"email_address": "help@example.gov.uk"}).json()["data"]

    updated = admin.post(f"{path}/{address['id']}", {"email_address": "desk@example.gov.uk"}).json()["data"]

    assert (updated["email_address"], updated["is_default"]) == ("desk@example.gov.uk", True)


def test_an_archived_sender_cannot_be_changed(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/sms-senders"
    other = admin.post(path, {"sms_sender": "OTHER"}).json()["data"]
    admin.post(f"{path}/{other['id']}/archive")

    response = admin.post(f"{path}/{other['id']}", {"is_default": True})

    assert messages(response) == ["This sms sender has been archived and cannot be changed"]
