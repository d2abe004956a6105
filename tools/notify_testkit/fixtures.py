"""pytest fixtures on real infrastructure: a throwaway PostgreSQL database and an SQS emulator.

PostgreSQL: DATABASE_URL if set, else the server on 127.0.0.1:5432 if reachable, else an embedded
one. Every test session gets its own database (dropped at the end) and every test its own queue
prefix, so tests never touch dev data or each other's messages.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from sqlalchemy import func, select, text

from notify_devstack.infra import (
    LOCAL_PG,
    EmbeddedPostgres,
    SqsEmulator,
    create_database,
    database_reachable,
    drop_database,
    free_port,
)
from notify_devstack.processes import Ports, process_specs
from notify_shared import provisioning
from notify_shared.all_models import metadata
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.migrate import upgrade
from notify_shared.models import Notification

from .processes import ProcessGroup

TEST_SECRET_KEY = "test-secret-key-not-for-production"
TEST_ADMIN_CLIENT_SECRET = "test-admin-client-secret-not-for-production"


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory) -> str:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    if database_reachable(LOCAL_PG):
        yield LOCAL_PG
        return
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("pgdata"))
    try:
        yield embedded.start()
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
def database_url(postgres_server_url) -> str:
    name = f"notify_test_{uuid.uuid4().hex[:10]}"
    url = create_database(postgres_server_url, name)
    upgrade(url)
    yield url
    drop_database(postgres_server_url, name)


@pytest.fixture(scope="session")
def broker_url(tmp_path_factory) -> str:
    if os.environ.get("TEST_BROKER_URL"):
        yield os.environ["TEST_BROKER_URL"]
        return
    emulator = SqsEmulator(log_path=tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield emulator.start()
    finally:
        emulator.stop()


@dataclass(frozen=True)
class S3Bucket:
    endpoint: str
    name: str
    client: object  # a boto3 S3 client for the endpoint


@pytest.fixture
def s3_bucket(broker_url, monkeypatch) -> S3Bucket:
    """A fresh bucket on the session's moto server, which speaks S3 as well as SQS, with AWS env set for it."""
    parts = urlsplit(broker_url)
    endpoint = f"http://{parts.hostname}:{parts.port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "notify", "AWS_SECRET_ACCESS_KEY": "notify",
                        "AWS_DEFAULT_REGION": "eu-west-2"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint)
    name = f"bucket-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return S3Bucket(endpoint, name, client)


@pytest.fixture
def queue_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}-"


@pytest.fixture
def stack_env(database_url, broker_url, queue_prefix) -> dict[str, str]:
    """Environment for every process under test (the same variables a manifest sets)."""
    return {
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "NOTIFICATION_QUEUE_PREFIX": queue_prefix,
        "SECRET_KEY": TEST_SECRET_KEY,
        "ADMIN_CLIENT_SECRET": TEST_ADMIN_CLIENT_SECRET,
        "SQS_WAIT_TIME_SECONDS": "1",
        "LOG_FORMAT": "console",
        "LOG_LEVEL": "INFO",
        "AWS_ACCESS_KEY_ID": "notify",
        "AWS_SECRET_ACCESS_KEY": "notify",
        "REPLAY_CREATED_AFTER_SECONDS": "5",
        "SCHEDULER_TICK_SECONDS": "1",
    }


@pytest.fixture
def settings(stack_env, monkeypatch) -> Settings:
    for key, value in stack_env.items():
        monkeypatch.setenv(key, value)
    return Settings.from_env("test")


@pytest.fixture
def db(settings) -> Database:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture
def empty_db(db) -> Database:
    """The shared test database with every row of earlier tests removed (provider rows kept)."""
    tables = [t.name for t in metadata.sorted_tables if t.name != "provider_details"]
    with db.session() as session:
        session.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        session.execute(text(
            "UPDATE provider_details SET active = true,"
            " priority = CASE identifier WHEN 'ses' THEN 100 ELSE 50 END"
        ))
    return db


@pytest.fixture
def bus(settings) -> Bus:
    b = Bus(settings)
    yield b
    b.close()


@pytest.fixture
def secret_box() -> SecretBox:
    return SecretBox(TEST_SECRET_KEY)


@dataclass(frozen=True)
class SampleService:
    id: uuid.UUID
    api_key: str
    test_api_key: str
    team_api_key: str
    sms_template_id: uuid.UUID
    email_template_id: uuid.UUID
    letter_template_id: uuid.UUID


def make_service(db: Database, box: SecretBox, *, name: str | None = None, restricted: bool = False,
                 permissions: list[str] | None = None) -> SampleService:
    with db.session() as session:
        service = provisioning.create_service(
            session, name=name or f"Test service {uuid.uuid4().hex[:8]}", restricted=restricted,
            permissions=permissions if permissions is not None else ["sms", "email", "letter", "international_sms"],
        )
        keys = {kt: provisioning.create_api_key(session, box, service_id=service.id, name=f"{kt} key", key_type=kt)
                for kt in ("normal", "test", "team")}
        sms = provisioning.create_template(session, service_id=service.id, name="sms", template_type="sms",
                                           content="Hello ((name)), your code is ((code??ready)).")
        email = provisioning.create_template(session, service_id=service.id, name="email", template_type="email",
                                             subject="Hello ((name))", content="Dear ((name)),\n\nThis is a test.")
        letter = provisioning.create_template(session, service_id=service.id, name="letter", template_type="letter",
                                              subject="Letter for ((name))", content="Dear ((name))")
        return SampleService(service.id, keys["normal"].key, keys["test"].key, keys["team"].key,
                             sms.id, email.id, letter.id)


def stored(db: Database, notification_id: str) -> Notification | None:
    """The notification row as the API stored it (None if nothing was)."""
    with db.session() as session:
        return session.get(Notification, uuid.UUID(notification_id))


def count_for_service(db: Database, service_id: uuid.UUID) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count()).select_from(Notification).where(Notification.service_id == service_id))


@pytest.fixture
def sample_service(db, secret_box) -> SampleService:
    return make_service(db, secret_box)


@pytest.fixture
def ports() -> Ports:
    return Ports(**{name: free_port() for name in Ports.__dataclass_fields__})


@pytest.fixture
def processes(tmp_path, stack_env, request) -> ProcessGroup:
    group = ProcessGroup(tmp_path, stack_env)
    yield group
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print(group.all_logs())
    group.stop_all()


@pytest.fixture
def stack(processes, ports):
    """Every process of the platform, running against the test database and queues."""
    specs = {spec.name: spec for spec in process_specs(ports)}
    for spec in specs.values():
        processes.start(spec)
    return StackHandle(processes, ports, specs)


@dataclass
class StackHandle:
    processes: ProcessGroup
    ports: Ports
    specs: dict

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.simulator}"

    @property
    def status_receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.status_receiver}"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
