import threading
import time

from notify_shared.bus import Bus, Consumer, PublishError
from notify_shared.config import Settings
from notify_shared.envelope import Envelope


def _consume(bus: Bus, queue: str, count: int, handler=None, timeout: float = 20.0) -> list[Envelope]:
    received: list[Envelope] = []

    def handle(envelope: Envelope) -> None:
        if handler:
            handler(envelope)
        received.append(envelope)

    consumer = Consumer(bus, [queue], handle, retry_delay_seconds=1)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    thread.join(5)
    return received


def test_published_envelope_arrives_intact_on_sqs(bus):
    sent = Envelope(kind="send-sms", notification_id="0b4e5b1e-1111-4c3b-9a2e-5f8d1a2b3c4d", request_id="req-1")
    bus.publish("send-sms-tasks", sent)

    [received] = _consume(bus, "send-sms-tasks", 1)

    assert received == sent


def test_a_failing_handler_gets_the_message_again_later(bus):
    bus.publish("delivery-receipts", Envelope(kind="receipt", payload={"n": 1}))
    attempts: list[int] = []

    def fail_first(envelope: Envelope) -> None:
        attempts.append(envelope.attempt)
        if envelope.attempt == 0:
            raise RuntimeError("database is down")

    received = _consume(bus, "delivery-receipts", 1, handler=fail_first)

    assert [e.attempt for e in received] == [1]
    assert attempts == [0, 1]


def test_publish_to_an_unreachable_broker_fails_fast_with_publish_error(settings):
    dead = Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                       "bus_publish_timeout_seconds": 1.0})
    started = time.monotonic()
    try:
        Bus(dead).publish("send-sms-tasks", Envelope(kind="send-sms"))
    except PublishError:
        pass
    else:
        raise AssertionError("publish to a dead broker must raise PublishError")
    assert time.monotonic() - started < 10
