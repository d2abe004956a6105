"""One slow service's endpoint does not delay other services' callbacks."""
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify_shared import queues
from notify_shared.callback_messages import NotificationSnapshot, delivery_status_envelope
from notify_status_receiver.callbacks import CallbackSender
from notify_status_receiver.callbacks_consumer import BoundedCallbackConsumer

SLOW_SECONDS = 1.5


@pytest.fixture
def endpoints():
    """/slow answers after SLOW_SECONDS, /fast at once; records when each request was answered."""
    answered: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if self.path == "/slow":
                time.sleep(SLOW_SECONDS)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with lock:
                answered.append((self.path, body["id"], time.monotonic()))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", answered
    server.shutdown()
    server.server_close()


def callback_for(service_id, template_id, box):
    return delivery_status_envelope(NotificationSnapshot(
        id=uuid.uuid4(), service_id=service_id, status="delivered", to="+447700900123", client_reference=None,
        notification_type="sms", template_id=template_id, template_version=1, created_at=datetime.now(UTC),
        sent_at=None, updated_at=datetime.now(UTC)), box)


def test_callbacks_to_a_fast_service_are_not_held_up_by_a_slow_services_endpoint(rows, secret_box, db, bus,
                                                                                 receiver_config, endpoints):
    base_url, answered = endpoints
    slow_service = rows.service_id
    fast_service = rows.service(secret_box, ["sms"])
    rows.callback_api(f"{base_url}/slow", "slow-token", secret_box, service_id=slow_service)
    rows.callback_api(f"{base_url}/fast", "fast-token", secret_box, service_id=fast_service)
    # The slow service's callbacks are queued first: without a per-service bound they would take every slot.
    slow = [callback_for(slow_service, rows.template_id, secret_box) for _ in range(2)]
    fast = [callback_for(fast_service, rows.template_id, secret_box) for _ in range(3)]
    for callback in slow + fast:
        bus.publish(queues.SERVICE_CALLBACKS, callback)
    sender = CallbackSender(db, bus, secret_box, receiver_config)
    consumer = BoundedCallbackConsumer(bus, sender, concurrency=3, per_service=1, busy_delay_seconds=1)
    thread = threading.Thread(target=consumer.run, daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        deadline = started + 30
        while len(answered) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop()
        thread.join(15)

    fast_done = [at for path, _, at in answered if path == "/fast"]
    slow_done = sorted(at for path, _, at in answered if path == "/slow")
    assert sorted(i for _, i, _ in answered) == sorted(c.payload["id"] for c in slow + fast)
    # Every fast callback was answered before the slow endpoint had answered even its first.
    assert max(fast_done) < slow_done[0]
    # One at a time for the slow service: its callbacks were answered at least SLOW_SECONDS apart.
    assert all(b - a >= SLOW_SECONDS * 0.9 for a, b in zip(slow_done, slow_done[1:], strict=False))
    assert consumer.deferred >= 1

