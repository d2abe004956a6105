"""Notify's daily limits per channel, counted in the real Redis by the real API."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from notifications_python_client.errors import HTTPError
from sqlalchemy import update

from notify_shared.models import Service
from notify_testkit.fixtures import make_service

LETTER = {"address_line_1": "Ada", "address_line_2": "1 Street", "postcode": "SW1A 1AA", "name": "Ada"}


def set_limits(db, service_id, **columns) -> None:
    with db.session() as session:
        session.execute(update(Service).where(Service.id == service_id).values(**columns))


@pytest.fixture
def counter(redis_key_prefix):
    """The Redis key of a service's count for a channel today, as Notify names it."""

    def key(service_id, channel: str, *, test: bool = False) -> str:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return f"{redis_key_prefix}{service_id}-{'test-' if test else ''}{channel}-{day}-count"

    return key


def send_sms(client, service, number: str = "07700900456") -> dict:
    return client.send_sms_notification(number, str(service.sms_template_id), {"name": "Ada", "code": "1"})


def refused(call, *args) -> tuple[int, list[dict]]:
    with pytest.raises(HTTPError) as excinfo:
        call(*args)
    return excinfo.value.status_code, excinfo.value.message


def test_each_send_is_counted_for_today_and_the_next_one_past_the_limit_is_refused(
        notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, sms_message_limit=2)
    client = notify_client(sample_service.api_key)
    send_sms(client, sample_service)
    send_sms(client, sample_service)

    assert refused(send_sms, client, sample_service) == (429, [
        {"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 2) for today"}])
    assert limits_redis.get(counter(sample_service.id, "sms")) == "2"
    assert 0 < limits_redis.ttl(counter(sample_service.id, "sms")) <= 24 * 60 * 60


def test_channels_are_counted_separately(notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, email_message_limit=1, letter_message_limit=1)
    client = notify_client(sample_service.api_key)
    client.send_email_notification("ada@example.com", str(sample_service.email_template_id), {"name": "Ada"})
    client.send_letter_notification(str(sample_service.letter_template_id), LETTER)

    email_refused = refused(client.send_email_notification, "ada@example.com",
                            str(sample_service.email_template_id), {"name": "Ada"})
    letter_refused = refused(client.send_letter_notification, str(sample_service.letter_template_id), LETTER)
    send_sms(client, sample_service)

    assert email_refused[1][0]["message"] == "Exceeded send limits (email: 1) for today"
    assert letter_refused[1][0]["message"] == "Exceeded send limits (letter: 1) for today"
    assert limits_redis.get(counter(sample_service.id, "sms")) == "1"


def test_an_international_text_counts_as_sms_and_as_international_sms(
        notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, international_sms_message_limit=1)
    client = notify_client(sample_service.api_key)
    send_sms(client, sample_service, "+33 6 12 34 56 78")

    again = refused(send_sms, client, sample_service, "+33 6 12 34 56 78")
    send_sms(client, sample_service)

    assert again[1] == [{"error": "TooManyRequestsError",
                         "message": "Exceeded send limits (international_sms: 1) for today"}]
    assert limits_redis.get(counter(sample_service.id, "international_sms")) == "1"
    assert limits_redis.get(counter(sample_service.id, "sms")) == "2"


def test_team_keys_share_the_services_allowance(notify_client, sample_service, db, add_team_member):
    add_team_member(sample_service.id, "ada@example.com", "447700900456")
    set_limits(db, sample_service.id, sms_message_limit=1)
    send_sms(notify_client(sample_service.team_api_key), sample_service)

    assert refused(send_sms, notify_client(sample_service.api_key), sample_service)[0] == 429


def test_test_keys_are_checked_but_never_counted_and_never_use_up_the_allowance(
        notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, sms_message_limit=1)
    limits_redis.set(counter(sample_service.id, "sms"), 1)
    test_client = notify_client(sample_service.test_api_key)

    send_sms(test_client, sample_service)
    send_sms(test_client, sample_service)

    assert limits_redis.get(counter(sample_service.id, "sms", test=True)) is None
    assert limits_redis.get(counter(sample_service.id, "sms")) == "1"
    assert refused(send_sms, notify_client(sample_service.api_key), sample_service)[0] == 429


def test_simulated_recipients_are_checked_but_not_counted(notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, sms_message_limit=1)
    client = notify_client(sample_service.api_key)

    send_sms(client, sample_service, "07700900111")
    send_sms(client, sample_service, "07700900222")

    # Each took a reservation with its rate-limit token and gave it back.
    assert int(limits_redis.get(counter(sample_service.id, "sms")) or 0) == 0


def test_sends_refused_after_their_token_are_not_counted(notify_client, sample_service, db, limits_redis, counter):
    set_limits(db, sample_service.id, sms_message_limit=1, letter_message_limit=1)
    client = notify_client(sample_service.api_key)

    assert refused(client.send_sms_notification, "07700900456", "f" * 8 + "-0000-4000-8000-" + "0" * 12)[0] == 400
    assert refused(send_sms, client, sample_service, "not a number")[0] == 400
    assert refused(client.send_letter_notification, str(sample_service.letter_template_id), {"name": "Ada"})[0] == 400
    assert int(limits_redis.get(counter(sample_service.id, "sms")) or 0) == 0
    assert int(limits_redis.get(counter(sample_service.id, "letter")) or 0) == 0

    send_sms(client, sample_service)  # the whole allowance is still there
    assert limits_redis.get(counter(sample_service.id, "sms")) == "1"


def test_trial_mode_services_may_send_50_a_day(notify_client, db, secret_box, limits_redis, counter, add_team_member):
    trial = make_service(db, secret_box, restricted=True)
    add_team_member(trial.id, "ada@example.com", "447700900456")
    limits_redis.set(counter(trial.id, "sms"), 49)
    client = notify_client(trial.api_key)
    send_sms(client, trial)

    assert refused(send_sms, client, trial) == (429, [
        {"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 50) for today"}])
    # Test keys of a trial service get the live allowance.
    send_sms(notify_client(trial.test_api_key), trial)
