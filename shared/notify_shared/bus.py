"""The message bus: kombu over SQS (production, moto locally) or Redis.

Publishing reuses one connection and producer per thread and declares each queue once per
connection, because a plain publish per request halves intake throughput (DESIGN §3).
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from kombu import Connection, Exchange, Queue
from kombu.message import Message
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual

from .config import Settings
from .delayed import RedisDelays
from .envelope import Envelope, EnvelopeError
from .logging import get_logger
from .metrics import BUS_CONSUMED, BUS_PUBLISHED
from .redis_transport import Transport as RedisTransport

log = get_logger(__name__)

SQS_MAX_DELAY_SECONDS = 900


class PublishError(RuntimeError):
    """The bus did not take the message; the caller decides whether that loses anything."""


def queue_name(settings: Settings, name: str) -> str:
    # SQS allows only alphanumerics, hyphens and underscores in queue names.
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{settings.queue_prefix}{name}")


def broker_url_and_options(settings: Settings) -> tuple[str, dict]:
    url = settings.broker_url
    scheme = urlsplit(url).scheme
    if scheme == "sqs":
        parts = urlsplit(url)
        if settings.sqs_endpoint_url and not parts.hostname:
            # `sqs://` plus an explicit endpoint: kombu takes the endpoint from the URL host.
            endpoint = urlsplit(settings.sqs_endpoint_url)
            creds = parts.netloc or "notify:notify@"
            if "@" not in creds:
                creds += "@"
            url = f"sqs://{creds}{endpoint.netloc}"
            secure = endpoint.scheme == "https"
        else:
            secure = not parts.hostname or parts.hostname not in {"127.0.0.1", "localhost", "::1"}
        options = {
            "region": settings.sqs_region,
            "visibility_timeout": settings.sqs_visibility_timeout_seconds,
            "wait_time_seconds": settings.sqs_wait_time_seconds,
            "polling_interval": 0.1,
            "is_secure": secure,
            # One connection attempt: a publish to an unreachable SQS must fail inside the bus timeout.
            "max_retries": 1,
            "client-config": {
                "connect_timeout": settings.bus_publish_timeout_seconds,
                "read_timeout": max(settings.bus_publish_timeout_seconds, settings.sqs_wait_time_seconds + 5),
                "retries": {"max_attempts": 2},
            },
        }
        return url, options
    if scheme in {"redis", "rediss"}:
        return url, {
            "visibility_timeout": settings.sqs_visibility_timeout_seconds,
            "socket_timeout": settings.bus_publish_timeout_seconds,
            "socket_connect_timeout": settings.bus_publish_timeout_seconds,
            "polling_interval": 0.1,
        }
    if scheme == "memory":
        return url, {"polling_interval": 0.05}
    raise ValueError(f"BROKER_URL scheme {scheme!r} is not supported (use sqs://, redis:// or memory://)")


class Bus:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.url, self.transport_options = broker_url_and_options(settings)
        self.exchange = Exchange("notify", type="direct", durable=True)
        self._local = threading.local()
        self.published = 0
        # Redis has no per-message delay: delayed envelopes are parked until due (delayed.py).
        self.delays = (RedisDelays(self.url, timeout_seconds=settings.bus_publish_timeout_seconds)
                       if urlsplit(self.url).scheme in {"redis", "rediss"} else None)

    def queue(self, name: str) -> Queue:
        full = queue_name(self.settings, name)
        return Queue(full, self.exchange, routing_key=full, durable=True)

    def connection(self) -> Connection:
        return Connection(self.url, transport_options=dict(self.transport_options),
                          connect_timeout=self.settings.bus_publish_timeout_seconds,
                          transport=RedisTransport if self.delays is not None else None)

    def _producer(self):
        state = getattr(self._local, "state", None)
        if state is None:
            conn = self.connection()
            state = {"conn": conn, "producer": conn.Producer(serializer="json"), "declared": set()}
            self._local.state = state
        return state

    def _reset_producer(self) -> None:
        state = getattr(self._local, "state", None)
        self._local.state = None
        if state is not None:
            try:
                state["conn"].release()
            except Exception:  # noqa: BLE001 - the connection is already broken; drop it
                pass

    def publish(self, queue: str, envelope: Envelope, *, delay_seconds: int | None = None) -> None:
        """Put one envelope on a queue, or raise PublishError. Never blocks past the bus timeout."""
        self.publish_to(self.queue(queue), envelope, delay_seconds=delay_seconds)

    def publish_to(self, q: Queue, envelope: Envelope, *, delay_seconds: int | None = None) -> None:
        if delay_seconds and self.delays is not None:
            try:
                self.delays.hold(q, envelope, min(int(delay_seconds), SQS_MAX_DELAY_SECONDS))
            except Exception as exc:
                raise PublishError(f"delayed publish to {q.name} failed: {type(exc).__name__}") from exc
            return
        state = self._producer()
        properties = {}
        if delay_seconds:
            properties["delay_seconds"] = min(int(delay_seconds), SQS_MAX_DELAY_SECONDS)
        try:
            declare = [] if q.name in state["declared"] else [q]
            state["producer"].publish(
                envelope.to_dict(),
                # The default exchange routes straight to the queue named by the routing key: one round trip
                # on Redis instead of a binding lookup plus the push.
                exchange="",
                routing_key=q.routing_key,
                declare=declare,
                retry=False,
                **properties,
            )
            state["declared"].add(q.name)
            self.published += 1
            BUS_PUBLISHED.labels(q.name, "ok").inc()
        except Exception as exc:
            BUS_PUBLISHED.labels(q.name, "error").inc()
            self._reset_producer()
            raise PublishError(f"publish to {q.name} failed: {type(exc).__name__}") from exc

    def release_due(self, q: Queue) -> int:
        """Consumers call this from their loops: on Redis, publishes parked envelopes that are due."""
        if self.delays is None:
            return 0
        return self.delays.release_due(q, lambda queue, envelope: self.publish_to(queue, envelope))

    def ping(self) -> None:
        """Bounded reachability check for readiness probes."""
        conn = self.connection()
        try:
            conn.ensure_connection(max_retries=1, timeout=self.settings.healthcheck_timeout_seconds)
            if self.url.startswith("sqs"):
                channel = conn.default_channel
                channel.sqs().list_queues(QueueNamePrefix=self.settings.queue_prefix or "x", MaxResults=1)
        finally:
            conn.release()

    def close(self) -> None:
        self._reset_producer()
        if self.delays is not None:
            self.delays.close()


Handler = Callable[[Envelope], None]


class Consumer:
    """Consume queues one message at a time; ack only after the handler returns.

    Delivery is at-least-once: a handler that raises leaves the message to be redelivered after the
    visibility timeout, so every handler must be idempotent.
    """

    def __init__(self, bus: Bus, queues: Iterable[str], handler: Handler, *, prefetch: int = 1,
                 on_idle: Callable[[], None] | None = None, retry_delay_seconds: int = 5):
        self.bus = bus
        self.queues = [bus.queue(q) for q in queues]
        self.handler = handler
        self.prefetch = prefetch
        self.on_idle = on_idle or (lambda: None)
        self.retry_delay_seconds = retry_delay_seconds
        self._stop = threading.Event()
        self.consumed = 0

    def stop(self) -> None:
        self._stop.set()

    def _on_message(self, body, message: Message) -> None:
        try:
            envelope = Envelope.from_dict(body)
        except EnvelopeError as exc:
            log.error("message_dropped_bad_envelope", reason=str(exc))
            message.ack()
            BUS_CONSUMED.labels(self._queue_of(message), "dropped").inc()
            return
        try:
            self.handler(envelope)
        except Exception:
            log.exception("message_handler_failed", kind=envelope.kind,
                          notification_id=envelope.notification_id, message_id=envelope.message_id)
            BUS_CONSUMED.labels(self._queue_of(message), "failed").inc()
            self._redeliver_later(envelope, message)
            return
        message.ack()
        self.consumed += 1
        BUS_CONSUMED.labels(self._queue_of(message), "ok").inc()

    @staticmethod
    def _queue_of(message: Message) -> str:
        return str(message.delivery_info.get("routing_key") or "unknown")

    def _redeliver_later(self, envelope: Envelope, message: Message) -> None:
        """Put a failed message back with a delay so a broken dependency does not cause a hot loop.

        If even that publish fails, the exception tears the connection down; kombu then releases
        the unacked message back to the queue and the broker redelivers it.
        """
        routing_key = message.delivery_info.get("routing_key")
        queue = next((q for q in self.queues if q.routing_key == routing_key), self.queues[0])
        delay = min(self.retry_delay_seconds * (2 ** min(envelope.attempt, 6)), SQS_MAX_DELAY_SECONDS)
        self.bus.publish_to(queue, envelope.next_attempt(), delay_seconds=delay)
        message.ack()

    def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with self.bus.connection() as conn:
                    conn.ensure_connection(max_retries=1)
                    with conn.Consumer(self.queues, callbacks=[self._on_message], accept=["json"],
                                       prefetch_count=self.prefetch):
                        backoff = 0.5
                        while not self._stop.is_set():
                            self.on_idle()
                            for q in self.queues:
                                self.bus.release_due(q)
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                pass
            except Exception as exc:  # broker down: keep the loop alive and retry
                if self._stop.is_set():
                    break
                log.warning("bus_connection_lost", error=type(exc).__name__, retry_in=backoff)
                self.on_idle()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)
        log.info("consumer_stopped", consumed=self.consumed)


# ------------------------------------------------------------------ acking many messages at once

SQS_DELETE_BATCH = 10  # DeleteMessageBatch takes at most ten entries


def ack_all(messages: Iterable[Message]) -> None:
    """Ack messages received on one connection, in as few broker calls as the transport allows.

    Call it only once the work for every message has committed: like Message.ack, it removes them
    for good. kombu's SQS transport deletes one message per call; here SQS gets DeleteMessageBatch
    (ten a call) and Redis one pipeline for its unacked bookkeeping. Whatever the bulk call did not
    remove (an entry SQS reports as failed, a call that raised) is acked one by one as before, so a
    failure costs at most a redelivery, which consumers already treat as a no-op.
    """
    pending = [m for m in messages if not m.acknowledged]
    if len(pending) > 1:
        channel = pending[0].channel
        if all(m.channel is channel for m in pending):
            if all("sqs_message" in m.delivery_info for m in pending):
                pending = _delete_sqs_batches(channel, pending)
            elif isinstance(getattr(channel, "qos", None), kombu_redis.QoS):
                pending = _ack_redis_pipelined(channel, pending)
    for message in pending:
        message.ack()


def _delete_sqs_batches(channel, messages: list[Message]) -> list[Message]:  # noqa: ANN001 - kombu's SQS channel
    """Delete in batches of ten; returns the messages still to ack one by one."""
    left: list[Message] = []
    by_queue: dict[tuple[str, str | None], list[Message]] = {}
    for m in messages:
        by_queue.setdefault((m.delivery_info["sqs_queue"], m.delivery_info.get("routing_key")), []).append(m)
    for (queue_url, routing_key), queued in by_queue.items():
        client = channel.sqs(queue=channel.canonical_queue_name(routing_key) if routing_key else None)
        for start in range(0, len(queued), SQS_DELETE_BATCH):
            chunk = queued[start:start + SQS_DELETE_BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": m.delivery_info["sqs_message"]["ReceiptHandle"]}
                       for i, m in enumerate(chunk)]
            try:
                deleted = {e["Id"] for e in client.delete_message_batch(QueueUrl=queue_url,
                                                                        Entries=entries).get("Successful", [])}
            except Exception as exc:  # noqa: BLE001 - each message then gets kombu's own ack and error handling
                log.warning("sqs_delete_batch_failed", queue=routing_key, error=type(exc).__name__)
                deleted = set()
            for i, m in enumerate(chunk):
                if str(i) in deleted:
                    # Deleted already: without its SQS handle kombu's ack only releases the prefetch slot.
                    m.delivery_info.pop("sqs_message")
                    m.ack()
                else:
                    left.append(m)
    return left


def _ack_redis_pipelined(channel, messages: list[Message]) -> list[Message]:  # noqa: ANN001 - kombu's Redis channel
    """One round trip for what kombu's Redis QoS.ack does per message; returns the messages still to ack."""
    qos = channel.qos
    tags = [m.delivery_tag for m in messages]
    try:
        with channel.conn_or_acquire() as client:
            client.pipeline().zrem(qos.unacked_index_key, *tags).hdel(qos.unacked_key, *tags).execute()
    except Exception as exc:  # noqa: BLE001 - each message then gets kombu's own ack
        log.warning("redis_ack_batch_failed", error=type(exc).__name__)
        return messages
    for m in messages:
        # The bookkeeping is gone; release the delivery as kombu's QoS.ack does after its own pipeline.
        virtual.QoS.ack(qos, m.delivery_tag)
        m._state = "ACK"  # what Message.ack records; kombu offers no public way to ack without the broker call
    return []
