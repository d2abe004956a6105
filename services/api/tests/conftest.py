"""Fixtures for API tests: the real API under gunicorn, the official Notify client, tokens, queue reads."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
import redis
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import text

from notify_api.app import create_app
from notify_api.config import ApiSettings
from notify_api.context import EXTENSION_NAME
from notify_devstack.infra import free_port
from notify_devstack.processes import Ports, process_specs
from notify_shared.bus import Bus, Consumer
from notify_shared.envelope import Envelope
from notify_shared.models import InboundSms, Notification
from notify_testkit.fixtures import TEST_SECRET_KEY
from notify_testkit.processes import ProcessGroup

# Rate and daily limit keys of this test run live under their own prefix in the local Redis, so runs never
# see each other's counters (or a developer's).
REDIS_KEY_PREFIX = f"notify-test-{uuid.uuid4().hex[:10]}:"

# Small and quick to start; production sizing comes from the manifest. Without keep-alive, gunicorn stops
# at once instead of lingering 2 s for idle client connections.
# The slow-read bulkhead gets two places, not one: a request keeps its place until the server closes the
# response, which can happen after the client already sent its next request, so a client walking pages
# one at a time would otherwise see an occasional 503 (about 2 in 100 with one place).
TEST_API_ENV = {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "4", "GUNICORN_KEEPALIVE_SECONDS": "0",
                "API_MAX_SLOW_READS": "2", "REDIS_KEY_PREFIX": REDIS_KEY_PREFIX}


@pytest.fixture(scope="session")
def redis_key_prefix() -> str:
    """The prefix every API process of this run puts before its Redis limit keys."""
    return REDIS_KEY_PREFIX


@pytest.fixture(scope="session")
def limits_redis() -> redis.Redis:
    """The Redis the API keeps its limits in (REDIS_URL's default), for reading and presetting counters.

    Keys are this run's: prefix them with REDIS_KEY_PREFIX. They are deleted when the run ends.
    """
    client = redis.Redis.from_url(ApiSettings.from_env().shared.redis_url, decode_responses=True)
    yield client
    for key in client.scan_iter(match=f"{REDIS_KEY_PREFIX}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def closed_port() -> int:
    """A localhost port with nothing listening on it."""
    return free_port()


@pytest.fixture
def start_api(processes, ports) -> Callable[..., str]:
    """Start the API exactly as the stack does (the `api` ProcessSpec); returns its origin URL."""
    spec = next(s for s in process_specs(ports) if s.name == "api")
    assert "notify_api.wsgi:application" in spec.argv

    def start(**extra_env: str) -> str:
        processes.start(spec, extra_env={**TEST_API_ENV, **extra_env})
        return f"http://127.0.0.1:{ports.api}"

    return start


@pytest.fixture
def api(start_api) -> str:
    """A fresh API process for this test, sharing the test's queue prefix (so `read_queue` sees its messages)."""
    return start_api()


def _session_api(database_url: str, broker_url: str, workdir, **extra_env: str):
    ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
    spec = next(s for s in process_specs(ports) if s.name == "api")
    env = {
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "NOTIFICATION_QUEUE_PREFIX": f"m{uuid.uuid4().hex[:10]}-",
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQS_WAIT_TIME_SECONDS": "1",
        "LOG_FORMAT": "console",
        "AWS_ACCESS_KEY_ID": "notify",
        "AWS_SECRET_ACCESS_KEY": "notify",
        **TEST_API_ENV,
        **extra_env,
    }
    group = ProcessGroup(workdir, env)
    group.start(spec)
    yield f"http://127.0.0.1:{ports.api}"
    group.stop_all()


@pytest.fixture(scope="session")
def letter_pdf_dir(tmp_path_factory) -> Path:
    """Where the shared API looks for rendered letters (LETTER_PDF_DIR), as the sender would store them."""
    return tmp_path_factory.mktemp("letter-pdfs")


@pytest.fixture(scope="session")
def document_store_dir(tmp_path_factory) -> Path:
    """Where the shared API keeps files sent by email (DOCUMENT_STORE_DIR)."""
    return tmp_path_factory.mktemp("documents")


@pytest.fixture(scope="session")
def shared_api(database_url, broker_url, tmp_path_factory, letter_pdf_dir, document_store_dir) -> str:
    """One API process for the whole test run, for tests that only look at HTTP answers and rows.

    Starting and stopping gunicorn costs seconds, so tests that need no special environment and read no
    queue share this one; each test makes its own service, so nothing one test does is seen by another.
    It runs with the same variables the testkit's `stack_env` gives every process, with a queue prefix of
    its own.
    """
    yield from _session_api(database_url, broker_url, tmp_path_factory.mktemp("shared-api"),
                            LETTER_PDF_DIR=str(letter_pdf_dir), DOCUMENT_STORE_DIR=str(document_store_dir))


@pytest.fixture(scope="session")
def small_page_api(database_url, broker_url, tmp_path_factory) -> str:
    """Like `shared_api`, with two items a page (API_PAGE_SIZE=2), for walking lists across several pages."""
    yield from _session_api(database_url, broker_url, tmp_path_factory.mktemp("small-page-api"), API_PAGE_SIZE="2")


@pytest.fixture
def notify_client(shared_api) -> Callable[..., NotificationsAPIClient]:
    """The official GOV.UK Notify Python client, pointed at the shared API unless given another origin."""

    def make(api_key: str, origin: str | None = None) -> NotificationsAPIClient:
        return NotificationsAPIClient(api_key, base_url=origin or shared_api)

    return make


class Tokens:
    """Notify tokens built with PyJWT, so tests can bend the rules the official client always follows."""

    @staticmethod
    def key_parts(api_key: str) -> tuple[str, str]:
        """(service_id, secret) sliced from a key string the way every official client does."""
        return api_key[-73:-37], api_key[-36:]

    @classmethod
    def token(cls, api_key: str, *, iat: float | None = None, iss: object | None = None, algorithm: str = "HS256",
              secret: str | None = None, **claims: object) -> str:
        service_id, key_secret = cls.key_parts(api_key)
        payload = {"iss": service_id if iss is None else iss, "iat": int(time.time() if iat is None else iat),
                   **claims}
        return jwt.encode(payload, (secret or key_secret).encode(), algorithm=algorithm)

    @classmethod
    def bearer(cls, api_key: str, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {cls.token(api_key, **kwargs)}"}


@pytest.fixture
def tokens() -> type[Tokens]:
    return Tokens


@pytest.fixture
def app(settings):
    """The API in-process (real database, real bus settings) for validation cases that need no server."""
    application = create_app(ApiSettings.from_env(settings))
    yield application
    application.extensions[EXTENSION_NAME].close()


@pytest.fixture
def client(app):
    return app.test_client()


def _consume(bus: Bus, queue: str, count: int, timeout: float = 15.0) -> list[Envelope]:
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


@pytest.fixture
def read_queue(bus) -> Callable[..., list[Envelope]]:
    """Read up to `count` envelopes from a queue (with this test's prefix), waiting at most `timeout` s."""

    def read(queue: str, count: int = 1, timeout: float = 15.0) -> list[Envelope]:
        return _consume(bus, queue, count, timeout)

    return read


@pytest.fixture
def add_notification(db, secret_box) -> Callable[..., uuid.UUID]:
    """Insert a notification row as the API and the workers would have left it (for list and GET tests)."""

    def add(service, *, notification_type: str = "sms", key_type: str = "normal", status: str = "created",
            created_at: datetime | None = None, client_reference: str | None = None,
            personalisation: dict | None = None, **columns: object) -> uuid.UUID:
        template_id = {"sms": service.sms_template_id, "email": service.email_template_id,
                       "letter": service.letter_template_id}[notification_type]
        to = {"sms": "07700900456", "email": "ada@example.com", "letter": "Ada\n1 Street\nSW1A 1AA"}[notification_type]
        values = {"name": "Ada", "code": "1"} if personalisation is None else personalisation
        row = Notification(
            id=uuid.uuid4(), service_id=service.id, template_id=template_id, template_version=1, key_type=key_type,
            notification_type=notification_type, to=to, status=status, client_reference=client_reference,
            personalisation=secret_box.encrypt(json.dumps(values)),
            created_at=created_at or datetime.now(UTC), **columns,
        )
        with db.session() as session:
            session.add(row)
        return row.id

    return add


@pytest.fixture
def add_received_text(db, secret_box) -> Callable[..., uuid.UUID]:
    """Insert a received text as the status-receiver stores it (content encrypted at rest)."""

    def add(service_id: uuid.UUID, content: str = "Hello", *, created_at: datetime | None = None,
            user_number: str = "447700900123", notify_number: str = "07700900999") -> uuid.UUID:
        row = InboundSms(id=uuid.uuid4(), service_id=service_id, notify_number=notify_number, user_number=user_number,
                         content=secret_box.encrypt(content), provider="mmg",
                         created_at=created_at or datetime.now(UTC))
        with db.session() as session:
            session.add(row)
        return row.id

    return add


@pytest.fixture
def add_team_member(db) -> Callable[..., None]:
    """A member of the service's team, as the admin API records one (migration 0002's table)."""

    def add(service_id: uuid.UUID, email_address: str, mobile_number: str | None = None) -> None:
        with db.session() as session:
            session.execute(text(
                "INSERT INTO service_team_members (id, service_id, name, email_address, mobile_number)"
                " VALUES (:id, :service_id, 'Team member', :email, :mobile)"),
                {"id": uuid.uuid4(), "service_id": service_id, "email": email_address, "mobile": mobile_number})

    return add


@pytest.fixture
def add_guest(db) -> Callable[..., None]:
    """An entry on the service's guest list (migration 0002's table); recipient_type is mobile or email."""

    def add(service_id: uuid.UUID, recipient_type: str, recipient: str) -> None:
        with db.session() as session:
            session.execute(text(
                "INSERT INTO service_guest_list (id, service_id, recipient_type, recipient)"
                " VALUES (:id, :service_id, :type, :recipient)"),
                {"id": uuid.uuid4(), "service_id": service_id, "type": recipient_type, "recipient": recipient})

    return add
