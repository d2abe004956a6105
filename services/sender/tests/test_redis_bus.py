"""On kombu's Redis transport (benchmarks, small installs) retries still wait: no hot loops.

SQS delays a message itself; Redis cannot, so the bus parks delayed envelopes until they are due
(notify_shared/delayed.py) and consumers release them. These run against the local Redis server.
"""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
import redis

from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.envelope import Envelope
from notify_testkit.processes import wait_until

REDIS_DB = 12


@pytest.fixture
def redis_url(queue_prefix) -> str:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    for key in client.scan_iter(f"*{queue_prefix}*"):
        client.delete(key)
    for key in client.scan_iter("_kombu.binding*"):  # kombu's bindings name every queue ever declared
        for member in client.smembers(key):
            if queue_prefix.encode() in member:
                client.srem(key, member)
    client.close()


@pytest.fixture
def redis_bus(settings, redis_url) -> Bus:
    bus = Bus(replace(settings, broker_url=redis_url))
    yield bus
    bus.close()


def received(bus: Bus, queue: str, wait: float = 0.5) -> list[Envelope]:
    got: list[Envelope] = []

    def on_message(body, message):
        got.append(Envelope.from_dict(body))
        message.ack()

    with bus.connection() as conn, conn.Consumer([bus.queue(queue)], callbacks=[on_message], accept=["json"]):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                conn.drain_events(timeout=0.1)
            except TimeoutError:
                pass
    return got


def test_a_delayed_envelope_waits_outside_the_queue_until_it_is_due(redis_bus):
    envelope = Envelope(kind="send-sms", notification_id="n-1", attempt=1)
    redis_bus.publish(queues.SEND_SMS, envelope, delay_seconds=1)
    q = redis_bus.queue(queues.SEND_SMS)

    assert redis_bus.release_due(q) == 0
    assert received(redis_bus, queues.SEND_SMS, wait=0.3) == []
    time.sleep(1.1)
    assert redis_bus.release_due(q) == 1
    assert redis_bus.release_due(q) == 0  # released once, even when asked again

    [delivered] = received(redis_bus, queues.SEND_SMS)
    assert (delivered.notification_id, delivered.attempt, delivered.message_id) == ("n-1", 1, envelope.message_id)
    assert redis_bus.delays.parked(q) == 0


def test_an_envelope_without_a_delay_goes_straight_to_the_queue(redis_bus):
    redis_bus.publish(queues.SEND_SMS, Envelope(kind="send-sms", notification_id="n-2"))

    assert [e.notification_id for e in received(redis_bus, queues.SEND_SMS)] == ["n-2"]


def test_a_sender_on_redis_retries_a_failing_send_after_its_delay_not_in_a_hot_loop(harness, redis_url, redis_bus):
    harness.start_simulator(providers={"mmg": {"fail": True}, "firetext": {"fail": True}})
    harness.start_sender(BROKER_URL=redis_url, SEND_RETRY_DELAY_SECONDS="1", SEND_RETRY_MAX_DELAY_SECONDS="1")
    notification_id = harness.create_notification("sms")

    redis_bus.publish(queues.SEND_SMS, Envelope(kind="send-sms", notification_id=str(notification_id)))
    wait_until(lambda: sum(harness.stats()["rejected"].values()) >= 2, message="the first attempt")
    time.sleep(2.5)

    # An attempt a second (two providers each): a retry without its delay would make hundreds.
    assert 4 <= sum(harness.stats()["rejected"].values()) <= 8
    harness.configure_simulator(providers={"mmg": {"fail": False}, "firetext": {"fail": False}})
    row = harness.wait_for_status(notification_id, "sending", sent=True, timeout=15)
    assert row.send_attempts >= 3
    assert harness.stats()["sends"] == {str(notification_id): 1}
