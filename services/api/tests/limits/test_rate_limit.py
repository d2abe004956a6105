"""Notify's per-key-type token bucket, shared through Redis, against the real API and the real Redis."""
from __future__ import annotations

import time

import pytest
import requests
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import update

from notify_api.limits.rate_limit import bucket_capacity
from notify_shared.models import Service


def set_limits(db, service_id, **columns) -> None:
    with db.session() as session:
        session.execute(update(Service).where(Service.id == service_id).values(**columns))


def send(client, sample_service) -> dict:
    return client.send_sms_notification("07700900000", str(sample_service.sms_template_id),
                                        {"name": "Ada", "code": "1"})


def test_the_burst_is_a_third_of_the_minute_plus_one_up_to_a_thousand():
    assert [bucket_capacity(rate) for rate in (3, 60, 3000, 6000)] == [2, 21, 1000, 1000]


def test_sends_beyond_the_bucket_get_notifys_429_naming_the_key_type_and_limit(notify_client, sample_service, db):
    # A rate of 3 a minute: a burst of 2, then one token every 20 seconds.
    set_limits(db, sample_service.id, rate_limit=3)
    client = notify_client(sample_service.api_key)
    send(client, sample_service)
    send(client, sample_service)

    with pytest.raises(HTTPError) as excinfo:
        send(client, sample_service)

    assert (excinfo.value.status_code, excinfo.value.message) == (429, [{
        "error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 3 requests per 60 seconds"}])


def test_each_key_type_has_its_own_bucket(notify_client, sample_service, db):
    set_limits(db, sample_service.id, rate_limit=3)
    clients = [notify_client(k) for k in (sample_service.api_key, sample_service.team_api_key,
                                          sample_service.test_api_key)]
    messages = []

    for client in clients:
        send(client, sample_service)
        send(client, sample_service)
        with pytest.raises(HTTPError) as excinfo:
            send(client, sample_service)
        messages.append(excinfo.value.message[0]["message"])

    assert messages == [f"Exceeded rate limit for key type {name} of 3 requests per 60 seconds"
                        for name in ("LIVE", "TEAM", "TEST")]


def test_the_rate_limit_is_checked_before_the_body_is_read(shared_api, sample_service, db, tokens):
    set_limits(db, sample_service.id, rate_limit=3)
    url = f"{shared_api}/v2/notifications/email"

    answers = [requests.post(url, data=b"{not json", headers=tokens.bearer(sample_service.api_key), timeout=5)
               for _ in range(3)]

    assert answers[0].json()["errors"] == [{"error": "BadRequestError",
                                            "message": "Invalid JSON supplied in POST data"}]
    assert (answers[2].status_code, answers[2].json()["errors"][0]["error"]) == (429, "RateLimitError")


def test_reads_are_not_rate_limited(notify_client, sample_service, db):
    set_limits(db, sample_service.id, rate_limit=3)
    client = notify_client(sample_service.api_key)

    pages = [client.get_all_notifications() for _ in range(4)]

    assert len(pages) == 4


def test_the_bucket_refills_at_the_rate_per_second(notify_client, sample_service, db):
    # 120 a minute: a burst of 41, then 2 tokens a second.
    set_limits(db, sample_service.id, rate_limit=120)
    client = notify_client(sample_service.test_api_key)
    sent = 0
    while True:
        try:
            send(client, sample_service)
        except HTTPError as exc:
            assert exc.status_code == 429
            break
        sent += 1
        assert sent <= 45, "the bucket never emptied"

    time.sleep(0.6)

    assert sent >= 41
    send(client, sample_service)


def test_when_redis_is_down_sending_fails_open_stays_fast_and_says_so_once(
        start_api, processes, sample_service, db, closed_port):
    # With Redis up, these limits would refuse the second send (bucket of 2, daily limit 0).
    set_limits(db, sample_service.id, rate_limit=3, sms_message_limit=0)
    origin = start_api(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    client = NotificationsAPIClient(sample_service.api_key, base_url=origin)

    started = time.monotonic()
    responses = [send(client, sample_service) for _ in range(3)]

    assert len({r["id"] for r in responses}) == 3
    assert time.monotonic() - started < 3
    # Logged once per breaker cool-down, not on every request.
    assert processes.tail("api", lines=500).count("redis_unavailable_limits_not_enforced") == 1
