"""Consume a queue in batches: collect up to N messages, hand them over at once, then ack them all.

One thread and one connection do everything (kombu connections are not thread-safe), so messages are
acked on the thread that received them, and only after the handler has returned (its database work
committed): delivery stays at-least-once. The acks of a batch go out together (bus.ack_all: SQS
DeleteMessageBatch, ten a call, instead of one DeleteMessage per receipt; one Redis pipeline). The
prefetch equals the batch size, so the broker never hands out more than one batch. A batch starts with
the first message and waits at most `wait_seconds` for more, so a lone receipt is not held back. On the
SQS transport each fetch is a long poll of SQS_WAIT_TIME_SECONDS, so a batch that ends with the queue
empty can take that long longer to close. On Redis, once a batch has its first message the rest of what
is waiting is taken in one round trip (notify_shared.redis_fetch).

If the batch handler raises, each message is handed over alone; one that still fails is re-published for
a later attempt (as the shared Consumer does) and the original acked, and if even that publish fails the
connection is dropped so the broker delivers the unacked messages again.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from kombu import Connection
from kombu.message import Message

from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus, ack_all
from notify_shared.envelope import Envelope, EnvelopeError
from notify_shared.logging import get_logger
from notify_shared.metrics import BUS_CONSUMED
from notify_shared.redis_fetch import supports_take, take_waiting

log = get_logger(__name__)

BatchHandler = Callable[[Sequence[Envelope]], None]


class BatchConsumer:
    def __init__(self, bus: Bus, queue: str, handler: BatchHandler, *, batch_size: int, wait_seconds: float,
                 on_idle: Callable[[], None] | None = None, retry_delay_seconds: int = 5):
        self.bus = bus
        self.queue = bus.queue(queue)
        self.handler = handler
        self.batch_size = max(1, batch_size)
        self.wait_seconds = wait_seconds
        self.on_idle = on_idle or (lambda: None)
        self.retry_delay_seconds = retry_delay_seconds
        self._stop = threading.Event()
        self.consumed = 0
        self.batches = 0

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with self.bus.connection() as conn:
                    conn.ensure_connection(max_retries=1)
                    self._consume(conn)
                backoff = 0.5
            except Exception as exc:  # broker down, or messages to hand back: reconnect with backoff
                if self._stop.is_set():
                    break
                log.warning("bus_connection_lost", error=type(exc).__name__, retry_in=backoff)
                self.on_idle()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)
        log.info("consumer_stopped", consumed=self.consumed, batches=self.batches)

    def _consume(self, conn: Connection) -> None:
        batch: list[tuple[Envelope, Message]] = []

        def collect(body, message: Message) -> None:
            try:
                batch.append((Envelope.from_dict(body), message))
            except EnvelopeError as exc:
                log.error("message_dropped_bad_envelope", reason=str(exc))
                message.ack()
                BUS_CONSUMED.labels(self.queue.name, "dropped").inc()

        with conn.Consumer([self.queue], callbacks=[collect], accept=["json"],
                           prefetch_count=self.batch_size) as consumer:
            channel = consumer.channel
            top_up = None
            if supports_take(channel):
                def top_up() -> None:
                    for message in take_waiting(channel, self.queue.name, self.batch_size - len(batch)):
                        message.accept = consumer.accept
                        try:
                            body = message.decode()
                        except Exception as exc:  # noqa: BLE001 - kombu raises several kinds for bad content
                            log.error("message_dropped_bad_envelope", reason=type(exc).__name__)
                            message.ack()
                            BUS_CONSUMED.labels(self.queue.name, "dropped").inc()
                            continue
                        collect(body, message)
            while not self._stop.is_set():
                self.on_idle()
                self._fill(conn, batch, top_up)
                if batch:
                    self._settle(batch)
                    batch.clear()

    def _fill(self, conn: Connection, batch: list, top_up: Callable[[], None] | None) -> None:
        try:
            conn.drain_events(timeout=1)
        except TimeoutError:
            return
        deadline = time.monotonic() + self.wait_seconds
        while len(batch) < self.batch_size:
            if top_up is not None:
                # Redis: what is already waiting comes in one round trip instead of two per message.
                top_up()
                if len(batch) >= self.batch_size:
                    return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            before = len(batch)
            try:
                conn.drain_events(timeout=remaining)
            except TimeoutError:
                return
            if len(batch) == before:
                return

    def _settle(self, batch: list[tuple[Envelope, Message]]) -> None:
        envelopes = [envelope for envelope, _ in batch]
        try:
            self.handler(envelopes)
        except Exception:
            log.exception("batch_handler_failed", size=len(batch))
            for envelope, message in batch:
                self._settle_alone(envelope, message)
        else:
            ack_all(message for _, message in batch)
            BUS_CONSUMED.labels(self.queue.name, "ok").inc(len(batch))
        self.consumed += len(batch)
        self.batches += 1

    def _settle_alone(self, envelope: Envelope, message: Message) -> None:
        outcome = "ok"
        try:
            self.handler([envelope])
        except Exception:
            outcome = "failed"
            log.exception("message_handler_failed", kind=envelope.kind, notification_id=envelope.notification_id,
                          message_id=envelope.message_id)
            delay = min(self.retry_delay_seconds * (2 ** min(envelope.attempt, 6)), SQS_MAX_DELAY_SECONDS)
            # Raises PublishError when the bus is gone: the connection drops and the broker redelivers.
            self.bus.publish_to(self.queue, envelope.next_attempt(), delay_seconds=delay)
        message.ack()
        BUS_CONSUMED.labels(self.queue.name, outcome).inc()
