"""The consume loops: several per queue, sends in flight bounded, every message handled and acked once."""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace

from notify_sender.concurrent_consumer import ConcurrentConsumer
from notify_shared.bus import Bus
from notify_shared.envelope import Envelope
from notify_testkit.processes import wait_until


def test_several_loops_per_queue_share_the_sends_in_flight_and_handle_each_message_once(settings):
    bus = Bus(replace(settings, broker_url="memory://", queue_prefix=f"cc{uuid.uuid4().hex[:8]}-"))
    handled: list[str] = []
    in_flight = peak = 0
    lock = threading.Lock()

    def handler(envelope: Envelope, queue: str) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.05)  # a provider call
        with lock:
            in_flight -= 1
            handled.append(envelope.notification_id)

    consumer = ConcurrentConsumer(bus, ["send-sms-tasks"], handler, concurrency=6, consumers_per_queue=3)
    ids = [str(n) for n in range(40)]
    for notification_id in ids:
        bus.publish("send-sms-tasks", Envelope(kind="send-sms", notification_id=notification_id))
    runner = threading.Thread(target=consumer.run, daemon=True)
    runner.start()

    wait_until(lambda: consumer.consumed == len(ids), timeout=20, message="every message acked")
    consumer.stop()
    runner.join(10)

    assert sorted(handled, key=int) == ids
    assert consumer.loop_ids == ["send-sms-tasks#0", "send-sms-tasks#1", "send-sms-tasks#2"]
    assert 2 < peak <= 6  # the loops overlap their sends, never beyond the concurrency
    bus.close()
