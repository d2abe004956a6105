"""Fixtures for the status receiver: notification rows, queue readers and a service's callback endpoint."""
from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from notify_shared.bus import Bus, Consumer
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.models import InboundNumber, Notification, NotificationHistory, ServiceCallbackApi
from notify_status_receiver.app import create_app
from notify_status_receiver.config import ReceiverConfig
from notify_status_receiver.sns import string_to_sign
from notify_testkit.fixtures import make_service


@pytest.fixture
def receiver_config(settings: Settings) -> ReceiverConfig:
    return ReceiverConfig.from_env(settings)


@pytest.fixture
def client(settings, bus, receiver_config):
    """The webhooks in-process (Flask test client), publishing to the real test queues."""
    return create_app(settings, bus=bus, config=receiver_config).test_client()


MMG_INBOUND_AUTH = ("mmg-user", "mmg-inbound-password")
FIRETEXT_INBOUND_AUTH = ("notify", "firetext-inbound-password")


def basic_auth(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def inbound_config(receiver_config) -> ReceiverConfig:
    return replace(receiver_config, mmg_inbound_auth=(":".join(MMG_INBOUND_AUTH),),
                   firetext_inbound_auth=(":".join(FIRETEXT_INBOUND_AUTH),))


@pytest.fixture
def inbound_client(settings, bus, inbound_config):
    """The webhooks with inbound-SMS credentials configured."""
    return create_app(settings, bus=bus, config=inbound_config).test_client()


@dataclass
class Rows:
    db: Database
    service_id: uuid.UUID
    template_id: uuid.UUID

    def notification(self, *, status: str = "sending", notification_type: str = "sms", reference: str | None = None,
                     to: str = "+447700900123", client_reference: str | None = "client-ref-1",
                     sent_by: str | None = None) -> uuid.UUID:
        notification_id = uuid.uuid4()
        now = datetime.now(UTC)
        with self.db.session() as session:
            session.add(Notification(
                id=notification_id, service_id=self.service_id, template_id=self.template_id, template_version=1,
                key_type="normal", notification_type=notification_type, to=to, normalised_to=to, status=status,
                reference=reference, client_reference=client_reference, created_at=now - timedelta(seconds=5),
                sent_at=now - timedelta(seconds=4), sent_by=sent_by, billable_units=1,
            ))
        return notification_id

    def history(self, *, status: str = "sending", reference: str | None = None) -> uuid.UUID:
        notification_id = uuid.uuid4()
        with self.db.session() as session:
            session.add(NotificationHistory(
                id=notification_id, service_id=self.service_id, template_id=self.template_id, template_version=1,
                key_type="normal", notification_type="email", status=status, reference=reference,
                created_at=datetime.now(UTC) - timedelta(days=8),
            ))
        return notification_id

    def status_of(self, notification_id: uuid.UUID, table=Notification):
        with self.db.session() as session:
            return session.get(table, notification_id)

    def callback_api(self, url: str, token: str, box: SecretBox, callback_type: str = "delivery_status",
                     service_id: uuid.UUID | None = None) -> None:
        with self.db.session() as session:
            session.add(ServiceCallbackApi(service_id=service_id or self.service_id, callback_type=callback_type,
                                           url=url, bearer_token=box.encrypt(token)))

    def inbound_number(self, number: str, *, service_id: uuid.UUID | None = None, active: bool = True,
                       provider: str = "mmg") -> None:
        with self.db.session() as session:
            session.add(InboundNumber(number=number, provider=provider, service_id=service_id or self.service_id,
                                      active=active))

    def service(self, box: SecretBox, permissions: list[str]) -> uuid.UUID:
        return make_service(self.db, box, permissions=permissions).id


@pytest.fixture
def rows(empty_db, secret_box) -> Rows:
    # The sample service may receive texts: Notify requires both permissions for that.
    service = make_service(empty_db, secret_box, permissions=["sms", "email", "international_sms", "inbound_sms"])
    return Rows(empty_db, service.id, service.sms_template_id)


@pytest.fixture
def read_messages(bus: Bus) -> Callable[..., list[Envelope]]:
    def read(queue: str, count: int, timeout: float = 15.0) -> list[Envelope]:
        """Consume up to `count` envelopes from a queue (acking them), waiting at most `timeout` seconds."""
        received: list[Envelope] = []
        consumer = Consumer(bus, [queue], received.append, retry_delay_seconds=1)
        thread = threading.Thread(target=consumer.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        consumer.stop()
        thread.join(5)
        return received

    return read


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class ServiceEndpoint:
    """A service's callback URL: records what it receives and answers with scripted statuses."""

    statuses: list[int] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    url: str = ""

    def wait_for(self, count: int, timeout: float = 20.0) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)


@pytest.fixture
def service_endpoint():
    endpoint = ServiceEndpoint()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            with lock:
                endpoint.requests.append(RecordedRequest(self.path, dict(self.headers), body))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802 - used as an SNS SubscribeURL
            with lock:
                endpoint.requests.append(RecordedRequest(self.path, dict(self.headers), {}))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_port}/callbacks/delivery"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()



@dataclass
class SnsSigner:
    """Signs SNS messages the way SNS does, with a throwaway key and certificate."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    cert_url: str = "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-test.pem"

    def sign(self, message: dict, version: str = "2") -> dict:
        signed = {**message, "SignatureVersion": version, "SigningCertURL": self.cert_url}
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(string_to_sign(signed), padding.PKCS1v15(), algorithm)
        return {**signed, "Signature": base64.b64encode(signature).decode()}


class FixedCertificates:
    """The SNS certificate endpoint, answered from memory (AWS is not reachable from tests)."""

    def __init__(self, certificates: dict[str, x509.Certificate]):
        self.certificates = certificates
        self.fetched: list[str] = []

    def certificate(self, url: str) -> x509.Certificate:
        self.fetched.append(url)
        return self.certificates[url]


@pytest.fixture(scope="session")
def sns_signer() -> SnsSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    return SnsSigner(key, certificate)


@pytest.fixture
def sns_certificates(sns_signer) -> FixedCertificates:
    return FixedCertificates({sns_signer.cert_url: sns_signer.certificate})
