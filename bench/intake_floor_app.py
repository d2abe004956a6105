"""The intake floor (bench/intake.py): the least a notification intake can do, as a WSGI app.

POST /v2/notifications/sms verifies Notify's JWT (HS256, iat within 30 s), renders the body, inserts
one row in one transaction and publishes one kombu message after the commit, and nothing else: no key
lookup in the database, no rate limit, no schema validation, no template lookup. Whatever the real API
adds on top is measured against this in the same run (see /work/shared/reference/intake-floor.md).

Configured by env: FLOOR_DATABASE_URL, FLOOR_BROKER_URL, FLOOR_QUEUE, FLOOR_SERVICE_ID, FLOOR_SECRET,
FLOOR_POOL_SIZE.
"""
from __future__ import annotations

import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime

import jwt
from flask import Flask, jsonify, request
from kombu import Connection, Exchange, Queue
from kombu.pools import producers
from sqlalchemy import Column, DateTime, MetaData, Table, Text, create_engine
from sqlalchemy.dialects.postgresql import UUID

TEMPLATE_ID = uuid.UUID("00000000-0000-0000-0000-00000000f100")
TEMPLATE = "Hello ((name)), code ((code))."
PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")

metadata = MetaData()
floor_notifications = Table(
    "floor_notifications", metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("service_id", UUID(as_uuid=True), nullable=False),
    Column("template_id", UUID(as_uuid=True), nullable=False),
    Column("to", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

app = Flask(__name__)
_engine = None
_connection: Connection | None = None
_exchange = Exchange("floor", type="direct", durable=True)
_queue = Queue(os.environ.get("FLOOR_QUEUE", "floor"), exchange=_exchange,
               routing_key=os.environ.get("FLOOR_QUEUE", "floor"))
_service_id = os.environ.get("FLOOR_SERVICE_ID", "")
_secret = os.environ.get("FLOOR_SECRET", "").encode()
_lock = threading.Lock()


def _resources():
    # Created in the worker on first use (no --preload), so every worker has its own pool and sockets.
    # kombu's pool registries are not safe to populate from several threads at once, hence the lock.
    global _engine, _connection
    if _engine is not None:
        return _engine, _connection
    with _lock:
        if _engine is None:
            size = int(os.environ.get("FLOOR_POOL_SIZE", "8"))
            connection = Connection(os.environ["FLOOR_BROKER_URL"])
            producers[connection]  # noqa: B018 - creates the producer pool under the lock
            _connection = connection
            _engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=size, max_overflow=0)
    return _engine, _connection


@app.post("/v2/notifications/sms")
def send_sms():
    engine, connection = _resources()
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, _secret, algorithms=["HS256"], leeway=30)
    except jwt.PyJWTError:
        return jsonify(errors=[{"error": "AuthError"}]), 403
    if claims.get("iss") != _service_id or time.time() > int(claims.get("iat", 0)) + 30:
        return jsonify(errors=[{"error": "AuthError"}]), 403
    data = request.get_json()
    values = data.get("personalisation") or {}
    body = PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), TEMPLATE)
    notification_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(floor_notifications.insert().values(
            id=notification_id, service_id=uuid.UUID(_service_id), template_id=TEMPLATE_ID,
            to=data["phone_number"], body=body, status="created", created_at=datetime.now(UTC)))
    with producers[connection].acquire(block=True) as producer:
        producer.publish({"notification_id": str(notification_id)}, serializer="json", exchange=_exchange,
                         routing_key=_queue.routing_key, declare=[_queue], retry=True)
    return jsonify(id=str(notification_id), content={"body": body}, template={"id": str(TEMPLATE_ID)}), 201


application = app
