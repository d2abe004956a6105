"""The simulator's print provider: DVLA-style idempotent print jobs and the print callback."""
from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify_devstack.infra import free_port
from notify_simulator.app import create_app
from notify_simulator.settings import SimulatorSettings
from notify_testkit.processes import wait_until


@pytest.fixture
def callbacks():
    received: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def printer(callbacks):
    url, received = callbacks
    app, sim = create_app(SimulatorSettings(receipt_base_url=url, receipt_delay_seconds=0.05))
    sim.receipts.start()
    yield app.test_client(), received, sim
    sim.receipts.stop()


def job(notification_id: str, first_line: str = "A Person") -> dict:
    return {"id": notification_id, "postage": "second", "address": [first_line, "1 High Street", "SW1A 1AA"],
            "pdf": "JVBERi0xLjQ="}


def test_a_print_job_is_received_and_a_delivered_callback_follows(printer):
    client, received, _ = printer
    notification_id = str(uuid.uuid4())

    response = client.post("/dvla/print-job", json=job(notification_id))

    assert response.status_code == 201 and response.get_json()["jobStatus"] == "RECEIVED"
    wait_until(lambda: received or None, timeout=5, message="print callback")
    assert received == [("/notifications/letter/dvla", {"id": notification_id, "status": "delivered"})]


def test_submitting_the_same_notification_twice_creates_one_job(printer):
    client, received, sim = printer
    notification_id = str(uuid.uuid4())
    client.post("/dvla/print-job", json=job(notification_id))

    again = client.post("/dvla/print-job", json=job(notification_id))

    assert again.status_code == 409
    assert again.get_json()["errors"][0]["detail"] == "already received"
    assert sim.sends.stats()["sends"] == {notification_id: 1}
    wait_until(lambda: received or None, timeout=5, message="print callback")
    assert len(received) == 1


def test_a_letter_addressed_to_technical_failure_gets_a_technical_failure_callback(printer):
    client, received, _ = printer
    notification_id = str(uuid.uuid4())

    client.post("/dvla/print-job", json=job(notification_id, first_line="technical-failure"))

    wait_until(lambda: received or None, timeout=5, message="print callback")
    assert received[0][1] == {"id": notification_id, "status": "technical-failure"}


def test_a_print_job_without_its_pdf_is_refused(printer):
    client, _, _ = printer

    response = client.post("/dvla/print-job", json={**job(str(uuid.uuid4())), "pdf": ""})

    assert response.status_code == 400
