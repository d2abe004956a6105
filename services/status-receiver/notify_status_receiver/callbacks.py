"""Delivering callbacks to services: POST with the service's bearer token, retry what may succeed later.

Retry policy (Notify's, app/celery/service_callback_tasks.py): network errors, 5xx and 429 are
retried with a delay, other 4xx are dropped with a log line. A callback that uses up its attempts is
kept as a dead letter (dead_letters.py) for ops to replay. The URL and token are read at send time
in a short session that is closed before the HTTP call.

The sender is called from several threads at once (callbacks_consumer.py); each thread has its own
HTTP session, so connections to a service's endpoint are kept alive without sharing one across threads.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from prometheus_client import Counter, Histogram
from sqlalchemy import select

from notify_shared import queues
from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus
from notify_shared.callback_messages import CALLBACK_TYPE_FOR_KIND, CallbackMessageError, callback_body
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.logging import bound, get_logger
from notify_shared.models import ServiceCallbackApi

from .config import ReceiverConfig
from .dead_letters import record_dead_letter

log = get_logger(__name__)

DELIVERED = "delivered"
RETRY = "retry"
REJECTED = "rejected"

CALLBACKS = Counter("notify_service_callbacks_total", "Service callback attempts by outcome", ["kind", "outcome"])
CALLBACK_LATENCY = Histogram("notify_service_callback_seconds", "Time for a service to answer a callback",
                             buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


@dataclass(frozen=True)
class CallbackTarget:
    url: str
    encrypted_token: str


@dataclass(frozen=True)
class SendResult:
    outcome: str  # delivered | retry | rejected
    http_status: int | None = None
    error: str | None = None


def safe_url(url: str) -> str:
    """Scheme, host and path only: credentials and query strings in a callback URL stay out of logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def load_callback_target(db: Database, service_id: str, callback_type: str) -> CallbackTarget | None:
    """Read the service's current URL and (encrypted) token. Short session; no network."""
    with db.session() as session:
        row = session.execute(
            select(ServiceCallbackApi.url, ServiceCallbackApi.bearer_token)
            .where(ServiceCallbackApi.service_id == service_id, ServiceCallbackApi.callback_type == callback_type)
        ).first()
    return CallbackTarget(row.url, row.bearer_token) if row is not None else None


def post_callback(http: requests.Session, url: str, token: str, body: dict, timeout_seconds: float) -> SendResult:
    """One HTTP attempt, classified. Holds no database session."""
    try:
        response = http.post(
            url,
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            timeout=timeout_seconds,
            # A redirect could point the bearer token somewhere the service never configured.
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return SendResult(RETRY, error=type(exc).__name__)
    status = response.status_code
    response.close()
    if status < 400:
        return SendResult(DELIVERED, status)
    if status >= 500 or status == 429:
        return SendResult(RETRY, status)
    return SendResult(REJECTED, status)


def retry_delay_seconds(config: ReceiverConfig, attempt: int) -> int:
    return min(config.callback_retry_delay_seconds * (2 ** attempt), SQS_MAX_DELAY_SECONDS)


class CallbackSender:
    """The callbacks worker's message handler."""

    def __init__(self, db: Database, bus: Bus, box: SecretBox, config: ReceiverConfig):
        self.db = db
        self.bus = bus
        self.box = box
        self.config = config
        self._local = threading.local()

    @property
    def http(self) -> requests.Session:
        # requests.Session is not documented as thread-safe: one per sending thread.
        session = getattr(self._local, "http", None)
        if session is None:
            session = self._local.http = requests.Session()
        return session

    def __call__(self, envelope: Envelope) -> None:
        with bound(notification_id=envelope.notification_id, request_id=envelope.request_id,
                   message_id=envelope.message_id, kind=envelope.kind):
            self._deliver(envelope)

    def _deliver(self, envelope: Envelope) -> None:
        callback_type = CALLBACK_TYPE_FOR_KIND.get(envelope.kind)
        service_id = envelope.payload.get("service_id")
        if callback_type is None or not service_id:
            log.error("callback_dropped_bad_message", reason="unknown kind or no service id")
            return
        target = load_callback_target(self.db, str(service_id), callback_type)
        if target is None:
            log.info("callback_dropped_not_configured", service_id=service_id, callback_type=callback_type)
            return
        try:
            token = self.box.decrypt(target.encrypted_token)
            body = callback_body(envelope, self.box)
        except (ValueError, CallbackMessageError) as exc:
            log.error("callback_dropped_unreadable", service_id=service_id, reason=str(exc))
            return

        with CALLBACK_LATENCY.time():
            result = post_callback(self.http, target.url, token, body, self.config.callback_timeout_seconds)
        CALLBACKS.labels(envelope.kind, result.outcome).inc()
        attempt = envelope.attempt + 1
        fields = {"service_id": service_id, "url": safe_url(target.url), "attempt": attempt,
                  "http_status": result.http_status, "error": result.error}
        if result.outcome == DELIVERED:
            log.info("callback_delivered", **fields)
        elif result.outcome == REJECTED:
            log.warning("callback_dropped_rejected", **fields)
        elif attempt >= self.config.callback_max_attempts:
            dead_letter_id = record_dead_letter(
                self.db, self.box, envelope, service_id=str(service_id), callback_type=callback_type,
                last_error=f"HTTP {result.http_status}" if result.http_status else result.error, attempts=attempt)
            log.warning("callback_dead_lettered_retries_exhausted", dead_letter_id=str(dead_letter_id), **fields)
        else:
            delay = retry_delay_seconds(self.config, envelope.attempt)
            log.info("callback_retry_scheduled", delay_seconds=delay, **fields)
            self.bus.publish(queues.SERVICE_CALLBACKS, envelope.next_attempt(), delay_seconds=delay)
