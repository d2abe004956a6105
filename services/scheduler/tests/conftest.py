"""Helpers for scheduler tests: stuck notifications inserted directly, and a queue reader."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from notify_shared.bus import Bus, Consumer
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.models import Notification


def insert_notification(db: Database, service, *, notification_type: str = "sms", status: str = "created",
                        age_seconds: float = 3600, key_type: str = "normal") -> uuid.UUID:
    """A notification row as the API would have written it, `age_seconds` old by the database clock."""
    template_id = {"sms": service.sms_template_id, "email": service.email_template_id,
                   "letter": service.letter_template_id}[notification_type]
    to = {"sms": "07700900123", "email": "ada@example.com", "letter": "Ada Lovelace"}[notification_type]
    with db.session() as session:
        now: datetime = session.scalar(select(func.now()))
        row = Notification(service_id=service.id, template_id=template_id, template_version=1, key_type=key_type,
                           notification_type=notification_type, to=to, status=status,
                           created_at=now - timedelta(seconds=age_seconds))
        session.add(row)
        session.flush()
        return row.id


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
