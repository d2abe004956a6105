"""Sender test harness: real PostgreSQL rows, real moto SQS, the real simulator and sender processes."""
from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select, update

from notify_devstack.infra import free_port
from notify_devstack.processes import Ports, ProcessSpec, process_specs
from notify_shared import queues
from notify_shared.bus import Bus
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.models import ApiKey, Notification, ProviderDetails, ProviderDetailsHistory
from notify_testkit.fixtures import SampleService
from notify_testkit.processes import ProcessGroup, wait_until

# Fast retries and short timeouts so failure paths finish within a test.
SENDER_TEST_ENV = {
    "SENDER_CONCURRENCY": "4",
    "SEND_RETRY_DELAY_SECONDS": "1",
    "SEND_RETRY_MAX_DELAY_SECONDS": "2",
    "PROVIDER_TIMEOUT_SECONDS": "3",
    "PROVIDER_CACHE_SECONDS": "1",
}


@pytest.fixture
def stack_env(stack_env):
    # A message received by a sender that is then killed comes back after 5 s instead of 310 s.
    return {**stack_env, "SQS_VISIBILITY_TIMEOUT_SECONDS": "5"}


@dataclass
class SenderHarness:
    processes: ProcessGroup
    ports: Ports
    db: Database
    bus: Bus
    box: SecretBox
    service: SampleService
    specs: dict[str, ProcessSpec] = field(default_factory=dict)

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.simulator}"

    def start_simulator(self, **config) -> None:
        self.processes.start(self.specs["simulator"])
        # No status-receiver in these tests: keep receipts from retrying against a closed port.
        self.configure_simulator(receipts_enabled=False, **config)

    def configure_simulator(self, **config) -> dict:
        response = requests.post(f"{self.simulator_url}/_config", json=config, timeout=5)
        response.raise_for_status()
        return response.json()

    def start_sender(self, **env: str) -> None:
        self.processes.start(self.specs["sender"], extra_env={**SENDER_TEST_ENV, **env})

    def stats(self) -> dict:
        return requests.get(f"{self.simulator_url}/_stats", timeout=5).json()

    def messages(self, notification_id: uuid.UUID) -> list[dict]:
        response = requests.get(f"{self.simulator_url}/_messages", params={"id": str(notification_id)}, timeout=5)
        return response.json()["messages"]

    def sender_metric(self, name: str) -> float:
        text = requests.get(f"http://127.0.0.1:{self.ports.sender_health}/metrics", timeout=5).text
        values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
        return values[0] if values else 0.0

    def set_priority(self, identifier: str, priority: int) -> None:
        with self.db.session() as session:
            session.execute(update(ProviderDetails).where(ProviderDetails.identifier == identifier)
                            .values(priority=priority))

    def priorities(self) -> dict[str, int]:
        with self.db.session() as session:
            return dict(session.execute(select(ProviderDetails.identifier, ProviderDetails.priority)
                                        .where(ProviderDetails.notification_type == "sms")).all())

    def priority_history(self) -> list[tuple[str, int, str]]:
        """(provider, new priority, reason) for every recorded SMS priority change, oldest first."""
        with self.db.session() as session:
            return [tuple(row) for row in session.execute(
                select(ProviderDetails.identifier, ProviderDetailsHistory.priority, ProviderDetailsHistory.reason)
                .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
                .order_by(ProviderDetailsHistory.created_at, ProviderDetails.identifier))]

    def create_notification(self, notification_type: str = "sms", *, to: str | None = None,
                            key_type: str = "normal", personalisation: dict | None = None,
                            international: bool = False, reply_to_text: str | None = None,
                            one_click_unsubscribe_url: str | None = None) -> uuid.UUID:
        template_id = {"sms": self.service.sms_template_id, "email": self.service.email_template_id}[notification_type]
        to = to or ("07700900123" if notification_type == "sms" else "someone@example.com")
        values = personalisation if personalisation is not None else {"name": "Ada", "code": "yes"}
        with self.db.session() as session:
            key_id = session.execute(select(ApiKey.id).where(ApiKey.service_id == self.service.id,
                                                             ApiKey.key_type == key_type)).scalar_one()
            notification = Notification(
                service_id=self.service.id, template_id=template_id, template_version=1, api_key_id=key_id,
                key_type=key_type, notification_type=notification_type, to=to,
                personalisation=self.box.encrypt(json.dumps(values)), status="created",
                international=international, reply_to_text=reply_to_text,
                one_click_unsubscribe_url=one_click_unsubscribe_url,
            )
            session.add(notification)
            session.flush()
            return notification.id

    def publish(self, notification_id: uuid.UUID, notification_type: str = "sms", *,
                queue: str | None = None, envelope: Envelope | None = None) -> Envelope:
        envelope = envelope or Envelope(kind=f"send-{notification_type}", notification_id=str(notification_id),
                                        request_id=f"test-{uuid.uuid4()}")
        self.bus.publish(queue or queues.SEND_QUEUE_FOR_TYPE[notification_type], envelope)
        return envelope

    def notification(self, notification_id: uuid.UUID) -> Notification:
        with self.db.session() as session:
            return session.get(Notification, notification_id)

    def wait_for_status(self, notification_id: uuid.UUID, *statuses: str, timeout: float = 30,
                        sent: bool = False) -> Notification:
        def reached():
            row = self.notification(notification_id)
            if row.status in statuses and (not sent or row.sent_at is not None):
                return row
            return None
        return wait_until(reached, timeout=timeout, message=f"notification {notification_id} to be {statuses}")


@pytest.fixture
def harness(processes, ports, empty_db, bus, secret_box, sample_service) -> SenderHarness:
    specs = {spec.name: spec for spec in process_specs(ports)}
    return SenderHarness(processes, ports, empty_db, bus, secret_box, sample_service, specs)


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server naming
        self.server.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


@dataclass
class Trap:
    """An HTTP server standing in for a real provider: it records every request it gets."""

    url: str
    hits: list[str]


@pytest.fixture
def real_provider_trap() -> Trap:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Recorder)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Trap(f"http://127.0.0.1:{server.server_port}", server.hits)
    server.shutdown()
    server.server_close()
