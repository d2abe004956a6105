"""Team keys, and live keys of trial-mode services, reach only the team and the guest list (Notify's rules)."""
from __future__ import annotations

import pytest
from notifications_python_client.errors import HTTPError

from notify_testkit.fixtures import make_service

TEAM_ONLY = "Can’t send to this recipient using a team-only API key"
TRIAL_MODE = ("Can’t send to this recipient when service is in trial mode – see "
              "https://www.notifications.service.gov.uk/trial-mode")
LETTER = {"address_line_1": "Ada", "address_line_2": "1 Street", "postcode": "SW1A 1AA", "name": "Ada"}


def sms(client, service, number: str) -> dict:
    return client.send_sms_notification(number, str(service.sms_template_id), {"name": "Ada", "code": "1"})


def email(client, service, address: str) -> dict:
    return client.send_email_notification(address, str(service.email_template_id), {"name": "Ada"})


def refusal(call, *args) -> tuple[int, list[dict]]:
    with pytest.raises(HTTPError) as excinfo:
        call(*args)
    return excinfo.value.status_code, excinfo.value.message


def test_a_team_key_reaches_team_members_and_the_guest_list_however_they_are_written(
        notify_client, sample_service, add_team_member, add_guest):
    add_team_member(sample_service.id, "Ada@Example.com", "447700900456")
    add_guest(sample_service.id, "mobile", "07700 900789")
    add_guest(sample_service.id, "email", "grace@example.com")
    client = notify_client(sample_service.team_api_key)

    accepted = [
        sms(client, sample_service, "+44 7700 900456"),
        sms(client, sample_service, "07700900789"),
        email(client, sample_service, "ada@example.com"),
        email(client, sample_service, "GRACE@example.com"),
    ]

    assert len({a["id"] for a in accepted}) == 4
    assert refusal(sms, client, sample_service, "07700900123") == (
        400, [{"error": "BadRequestError", "message": TEAM_ONLY}])
    assert refusal(email, client, sample_service, "someone@example.com") == (
        400, [{"error": "BadRequestError", "message": TEAM_ONLY}])


def test_a_live_key_of_a_trial_service_reaches_only_the_team_and_guest_list(
        notify_client, db, secret_box, add_team_member, add_guest):
    trial = make_service(db, secret_box, restricted=True)
    add_team_member(trial.id, "ada@example.com")
    add_guest(trial.id, "mobile", "447700900789")
    client = notify_client(trial.api_key)

    email(client, trial, "ada@example.com")
    sms(client, trial, "07700900789")

    assert refusal(sms, client, trial, "07700900456") == (400, [{"error": "BadRequestError", "message": TRIAL_MODE}])
    # A team member with no mobile number on record lets no text through.
    assert refusal(email, client, trial, "grace@example.com")[1][0]["message"] == TRIAL_MODE


def test_another_services_team_and_guest_list_do_not_count(notify_client, sample_service, db, secret_box,
                                                           add_team_member, add_guest):
    other = make_service(db, secret_box)
    add_team_member(other.id, "ada@example.com", "447700900456")
    add_guest(other.id, "email", "grace@example.com")
    client = notify_client(sample_service.team_api_key)

    for call, recipient in ((email, "ada@example.com"), (email, "grace@example.com"), (sms, "07700900456")):
        assert refusal(call, client, sample_service, recipient)[1][0]["message"] == TEAM_ONLY


def test_live_keys_of_live_services_and_test_keys_reach_anyone(notify_client, db, secret_box, sample_service):
    trial = make_service(db, secret_box, restricted=True)

    assert email(notify_client(sample_service.api_key), sample_service, "anyone@example.com")["id"]
    assert email(notify_client(trial.test_api_key), trial, "anyone@example.com")["id"]


def test_letters_are_refused_with_a_team_key_and_from_a_trial_service_with_403(notify_client, db, secret_box,
                                                                                sample_service):
    trial = make_service(db, secret_box, restricted=True)

    team_key = refusal(notify_client(sample_service.team_api_key).send_letter_notification,
                       str(sample_service.letter_template_id), LETTER)
    trial_live = refusal(notify_client(trial.api_key).send_letter_notification, str(trial.letter_template_id),
                         LETTER)
    trial_test = notify_client(trial.test_api_key).send_letter_notification(str(trial.letter_template_id), LETTER)

    assert team_key == (403, [{"error": "BadRequestError", "message": "Cannot send letters with a team api key"}])
    assert trial_live == (403, [{"error": "BadRequestError",
                                 "message": "Cannot send letters when service is in trial mode"}])
    assert trial_test["id"]
