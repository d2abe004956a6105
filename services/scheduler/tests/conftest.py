"""Helpers for scheduler tests: stuck notifications inserted directly, and a queue reader."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from notify_scheduler.config import SchedulerConfig
from notify_scheduler.jobs import all_jobs, job_named
from notify_scheduler.jobs.context import JobContext
from notify_scheduler.runs import RunResult, run_job
from notify_shared.bus import Bus, Consumer
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.models import Notification, ServiceCallbackApi


def insert_notification(db: Database, service, *, notification_type: str = "sms", status: str = "created",
                        age_seconds: float = 3600, key_type: str = "normal", ages: dict[str, float] | None = None,
                        created_at: datetime | None = None, **columns) -> uuid.UUID:
    """A notification row as the API (and a sender) would have written it.

    `age_seconds` is created_at's age by the database clock; `ages` gives other timestamps the same
    way ({"claimed_at": 1200} = claimed 20 minutes ago); `columns` sets any other column.
    """
    template_id = {"sms": service.sms_template_id, "email": service.email_template_id,
                   "letter": service.letter_template_id}[notification_type]
    to = {"sms": "07700900123", "email": "ada@example.com", "letter": "Ada Lovelace"}[notification_type]
    with db.session() as session:
        now: datetime = session.scalar(select(func.now()))
        timestamps = {name: now - timedelta(seconds=age) for name, age in (ages or {}).items()}
        row = Notification(service_id=service.id, template_id=template_id, template_version=1, key_type=key_type,
                           notification_type=notification_type, to=to, status=status,
                           created_at=created_at or now - timedelta(seconds=age_seconds),
                           **{**timestamps, **columns})
        session.add(row)
        session.flush()
        return row.id


def collation_seconds_ago(db: Database, seconds: float, zone: str = "Europe/London") -> str:
    """A LETTER_COLLATION_TIME whose latest cut-off was `seconds` ago by the database clock."""
    with db.session() as session:
        now: datetime = session.scalar(select(func.now()))
    return f"{(now - timedelta(seconds=seconds)).astimezone(ZoneInfo(zone)).strftime('%H:%M:%S')} {zone}"


def job_context(db: Database, bus: Bus, **config) -> JobContext:
    return JobContext(db=db, bus=bus, config=SchedulerConfig(**config))


def run_named_job(db: Database, bus: Bus, name: str, **config) -> RunResult:
    """Run one registered job now, as `python -m notify_scheduler run-job NAME` does."""
    ctx = job_context(db, bus, **config)
    return run_job(job_named(all_jobs(ctx.config), name), ctx)


def add_status_callback(db: Database, service_id: uuid.UUID, box: SecretBox) -> None:
    with db.session() as session:
        session.add(ServiceCallbackApi(service_id=service_id, callback_type="delivery_status",
                                       url="https://service.example/callbacks", bearer_token=box.encrypt("t" * 12)))


def notification(db: Database, notification_id: uuid.UUID) -> Notification | None:
    with db.session() as session:
        return session.get(Notification, notification_id)


def consume(bus: Bus, queues: list[str], count: int, timeout: float = 20.0) -> list[tuple[str, Envelope]]:
    """Read `count` messages from `queues` (or fewer after `timeout`), with the queue each came from."""
    received: list[tuple[str, Envelope]] = []

    def reader(queue: str) -> Consumer:
        def handle(envelope: Envelope) -> None:
            received.append((queue, envelope))

        return Consumer(bus, [queue], handle)

    consumers = [reader(q) for q in queues]
    threads = [threading.Thread(target=c.run, daemon=True) for c in consumers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    for c in consumers:
        c.stop()
    for t in threads:
        t.join(5)
    return received


@pytest.fixture
def stuck(empty_db, sample_service):
    def make(**kwargs) -> uuid.UUID:
        return insert_notification(empty_db, sample_service, **kwargs)

    return make
