import contextlib
import threading
import time

import pytest
import redis
from kombu.message import Message

from notify_shared import queues
from notify_shared.bus import Bus, ack_all
from notify_shared.config import Settings
from notify_shared.envelope import Envelope
from notify_shared.redis_fetch import take_waiting
from notify_status_receiver.batch_consumer import BatchConsumer


def run_until(consumer: BatchConsumer, done, timeout: float = 20.0) -> None:
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    thread.join(10)


def publish_receipts(bus: Bus, count: int) -> list[Envelope]:
    """`count` receipt envelopes published in order, n0 first."""
    sent = [Envelope(kind="sms-receipt", notification_id=f"n{i}") for i in range(count)]
    for envelope in sent:
        bus.publish(queues.DELIVERY_RECEIPTS, envelope)
    return sent


def test_messages_waiting_together_are_handed_over_in_one_batch(bus):
    sent = publish_receipts(bus, 6)
    batches: list[list[str]] = []
    consumer = BatchConsumer(bus, queues.DELIVERY_RECEIPTS, lambda b: batches.append([e.message_id for e in b]),
                             batch_size=10, wait_seconds=0.5)

    run_until(consumer, lambda: sum(map(len, batches)) >= 6)

    assert sorted(m for batch in batches for m in batch) == sorted(e.message_id for e in sent)
    assert len(batches) < 6
    assert consumer.consumed == 6


def test_when_a_batch_fails_each_message_is_tried_alone_and_one_that_still_fails_comes_back_later(bus, read_messages):
    good = Envelope(kind="sms-receipt", notification_id="good")
    bad = Envelope(kind="sms-receipt", notification_id="bad")
    bus.publish(queues.DELIVERY_RECEIPTS, good)
    bus.publish(queues.DELIVERY_RECEIPTS, bad)
    handled: list[str] = []

    def handler(batch):
        if any(e.notification_id == "bad" for e in batch):
            raise RuntimeError("database unavailable")
        handled.extend(e.notification_id for e in batch)

    consumer = BatchConsumer(bus, queues.DELIVERY_RECEIPTS, handler, batch_size=10, wait_seconds=0.5,
                             retry_delay_seconds=0)
    run_until(consumer, lambda: "good" in handled)

    [again] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert handled == ["good"]
    assert (again.notification_id, again.attempt) == ("bad", 1)


def _queue_counts(conn, bus) -> tuple[int, int]:
    """(visible, in flight) for delivery-receipts, from the SQS emulator itself."""
    channel = conn.default_channel
    url = channel._new_queue(bus.queue(queues.DELIVERY_RECEIPTS).name)
    attributes = channel.sqs().get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    return (int(attributes["Attributes"]["ApproximateNumberOfMessages"]),
            int(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"]))


def test_ack_all_deletes_from_sqs_ten_at_a_time(bus):
    if not bus.url.startswith("sqs"):
        pytest.skip("DeleteMessageBatch is SQS's; Redis has its own test")
    publish_receipts(bus, 13)
    received: list[Message] = []
    with bus.connection() as conn:
        calls: list[str] = []
        client = conn.default_channel.sqs()
        client.meta.events.register("before-call.sqs.*", lambda model, **_: calls.append(model.name))
        with conn.Consumer([bus.queue(queues.DELIVERY_RECEIPTS)], callbacks=[lambda _b, m: received.append(m)],
                           accept=["json"], prefetch_count=20):
            deadline = time.monotonic() + 20
            while len(received) < 13 and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=1)
        assert len(received) == 13
        calls.clear()

        ack_all(received)

        assert calls.count("DeleteMessageBatch") == 2 and "DeleteMessage" not in calls
        assert all(m.acknowledged for m in received)
        assert _queue_counts(conn, bus) == (0, 0)



def test_a_message_sqs_would_not_batch_delete_is_acked_alone_and_stays_in_flight(bus):
    if not bus.url.startswith("sqs"):
        pytest.skip("DeleteMessageBatch is SQS's")
    publish_receipts(bus, 3)
    received: list[Message] = []
    with bus.connection() as conn:
        calls: list[str] = []
        conn.default_channel.sqs().meta.events.register("before-call.sqs.*",
                                                         lambda model, **_: calls.append(model.name))
        with conn.Consumer([bus.queue(queues.DELIVERY_RECEIPTS)], callbacks=[lambda _b, m: received.append(m)],
                           accept=["json"], prefetch_count=10):
            deadline = time.monotonic() + 20
            while len(received) < 3 and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=1)
        received[1].delivery_info["sqs_message"]["ReceiptHandle"] = "not-a-receipt-handle"
        calls.clear()

        ack_all(received)

        assert calls == ["DeleteMessageBatch", "DeleteMessage"]  # the failed entry, alone, as kombu acks
        assert all(m.acknowledged for m in received)
        # Not deleted, so SQS delivers it again after the visibility timeout: a redelivery, not a loss.
        assert _queue_counts(conn, bus) == (0, 1)

def test_ack_all_acks_on_redis_in_one_round_trip(redis_bus):
    publish_receipts(redis_bus, 5)
    received: list[Message] = []
    with redis_bus.connection() as conn:
        with conn.Consumer([redis_bus.queue(queues.DELIVERY_RECEIPTS)],
                           callbacks=[lambda _b, m: received.append(m)], accept=["json"], prefetch_count=10):
            deadline = time.monotonic() + 10
            while len(received) < 5 and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=1)
        qos = conn.default_channel.qos
        with conn.default_channel.conn_or_acquire() as client:
            assert client.hlen(qos.unacked_key) >= 5

            ack_all(received)

            tags = [m.delivery_tag for m in received]
            assert not any(client.hexists(qos.unacked_key, tag) for tag in tags)
            assert not any(client.zscore(qos.unacked_index_key, tag) for tag in tags)
        assert all(m.acknowledged for m in received) and not qos._delivered.keys() - qos._dirty


def test_a_handled_batch_leaves_nothing_on_the_queue(bus):
    sent = publish_receipts(bus, 12)
    handled: list[str] = []
    consumer = BatchConsumer(bus, queues.DELIVERY_RECEIPTS, lambda b: handled.extend(e.message_id for e in b),
                             batch_size=20, wait_seconds=0.5)

    run_until(consumer, lambda: len(handled) >= 12)

    assert sorted(handled) == sorted(e.message_id for e in sent)
    if bus.url.startswith("sqs"):
        with bus.connection() as conn:
            assert _queue_counts(conn, bus) == (0, 0)


@pytest.fixture
def redis_bus(settings, monkeypatch):
    """The machine's Redis (database 13) as the bus; this test's queue and its kombu bindings removed after."""
    monkeypatch.setenv("BROKER_URL", "redis://127.0.0.1:6379/13")
    redis_bus = Bus(Settings.from_env("test"))
    yield redis_bus
    redis_bus.close()
    client = redis.Redis(host="127.0.0.1", port=6379, db=13)
    name = redis_bus.queue(queues.DELIVERY_RECEIPTS).name
    client.delete(name)
    for key in client.scan_iter("_kombu.binding*"):
        stale = [m for m in client.smembers(key) if m.startswith(name.encode())]
        if stale:
            client.srem(key, *stale)
    client.close()


def test_on_redis_a_waiting_batch_is_taken_at_once_and_acked(redis_bus):
    sent = publish_receipts(redis_bus, 30)
    batches: list[list[str]] = []
    consumer = BatchConsumer(redis_bus, queues.DELIVERY_RECEIPTS, lambda b: batches.append([e.message_id for e in b]),
                             batch_size=50, wait_seconds=0.5)

    run_until(consumer, lambda: sum(map(len, batches)) >= 30)

    assert sorted(m for batch in batches for m in batch) == sorted(e.message_id for e in sent)
    assert len(batches) <= 2  # the first message the usual way, the rest in one take
    name = redis_bus.queue(queues.DELIVERY_RECEIPTS).name
    with redis_bus.connection() as conn:
        qos = conn.default_channel.qos
        with conn.default_channel.conn_or_acquire() as client:
            assert [v for v in client.hvals(qos.unacked_key) if name.encode() in v] == []
            assert client.llen(name) == 0


def test_on_redis_taken_messages_that_were_never_acked_come_back(redis_bus):
    sent = publish_receipts(redis_bus, 5)
    name = redis_bus.queue(queues.DELIVERY_RECEIPTS).name
    with redis_bus.connection() as conn:
        taken = take_waiting(conn.default_channel, name, 10)
        assert [Envelope.from_dict(m.decode()).message_id for m in taken] == [e.message_id for e in sent]
        # The connection goes away without an ack, as when a worker dies mid-batch.

    again: list[str] = []
    consumer = BatchConsumer(redis_bus, queues.DELIVERY_RECEIPTS, lambda b: again.extend(e.message_id for e in b),
                             batch_size=10, wait_seconds=0.5)
    run_until(consumer, lambda: len(again) >= 5)
    assert sorted(again) == sorted(e.message_id for e in sent)


def test_on_redis_a_take_works_on_a_server_that_has_not_seen_the_script(redis_bus):
    sent = publish_receipts(redis_bus, 3)
    name = redis_bus.queue(queues.DELIVERY_RECEIPTS).name
    # As after a Redis restart: every script user here falls back to EVAL once.
    redis.Redis(host="127.0.0.1", port=6379, db=13).script_flush()
    with redis_bus.connection() as conn:
        taken = take_waiting(conn.default_channel, name, 10)
        assert [Envelope.from_dict(m.decode()).message_id for m in taken] == [e.message_id for e in sent]
        for message in taken:
            message.ack()
