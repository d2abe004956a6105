import threading
import time

from notify_shared import queues
from notify_shared.envelope import Envelope
from notify_status_receiver.batch_consumer import BatchConsumer


def run_until(consumer: BatchConsumer, done, timeout: float = 20.0) -> None:
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    thread.join(10)


def test_messages_waiting_together_are_handed_over_in_one_batch(bus):
    sent = [Envelope(kind="sms-receipt", notification_id=f"n{i}") for i in range(6)]
    for envelope in sent:
        bus.publish(queues.DELIVERY_RECEIPTS, envelope)
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
