"""Consume service-callbacks with several callbacks in flight, and a bounded share for each service.

Why: one service whose endpoint answers slowly (up to the 5 s timeout) must not hold up every other
service's callbacks. The worker keeps up to `concurrency` callbacks in flight on a thread pool, and
at most `per_service` of them for any one service. A message for a service already at its bound is
not made to wait in the process (that would block the consumer or pin a prefetch slot): it is
re-published with a short delay (`busy_delay_seconds`, same attempt number) and acked, so it comes
back once the service's earlier callbacks may have finished.

Acking: a kombu connection is not thread-safe, so everything that touches it (receiving, acking,
re-publishing an over-bound message is done through Bus's own per-thread connection) stays on the
one consumer thread. Pool threads only send; when one finishes, its message is put on a local queue
and the consumer thread acks it between two short polls. A message is therefore acked only after
its callback was delivered, rejected, re-queued for a retry or kept as a dead letter: a crash loses
nothing, it only causes a redelivery (services may see a callback twice, as Notify's can).
The prefetch equals `concurrency`, so the broker never hands out more than the pool can run.
"""
from __future__ import annotations

import queue as stdlib_queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from kombu import Connection
from kombu.message import Message

from notify_shared import queues
from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus, PublishError
from notify_shared.envelope import Envelope, EnvelopeError
from notify_shared.logging import get_logger
from notify_shared.metrics import BUS_CONSUMED

log = get_logger(__name__)

CallbackHandler = Callable[[Envelope], None]

OK = "ok"
FAILED = "failed"  # the handler raised; re-published for a later attempt
LEAVE = "leave"  # not acked: the broker delivers it again


class ReconnectRequested(Exception):
    """A message could not be settled; dropping the connection hands it back to the broker."""


class BoundedCallbackConsumer:
    def __init__(self, bus: Bus, handler: CallbackHandler, *, concurrency: int, per_service: int,
                 busy_delay_seconds: int, on_idle: Callable[[], None] | None = None, retry_delay_seconds: int = 5,
                 drain_seconds: float = 10.0):
        self.bus = bus
        self.queue = bus.queue(queues.SERVICE_CALLBACKS)
        self.handler = handler
        self.concurrency = max(1, concurrency)
        self.per_service = max(1, per_service)
        self.busy_delay_seconds = busy_delay_seconds
        self.on_idle = on_idle or (lambda: None)
        self.retry_delay_seconds = retry_delay_seconds
        self.drain_seconds = drain_seconds
        self._stop = threading.Event()
        self.consumed = 0
        self.deferred = 0

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="callback")
        backoff = 0.5
        try:
            while not self._stop.is_set():
                try:
                    with self.bus.connection() as conn:
                        conn.ensure_connection(max_retries=1)
                        self._consume(conn, pool)
                    backoff = 0.5
                except Exception as exc:  # broker down, or a message to hand back: reconnect with backoff
                    if self._stop.is_set():
                        break
                    log.warning("bus_connection_lost", error=type(exc).__name__, retry_in=backoff)
                    self.on_idle()
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 10)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            log.info("consumer_stopped", consumed=self.consumed, deferred=self.deferred)

    def _consume(self, conn: Connection, pool: ThreadPoolExecutor) -> None:
        finished: stdlib_queue.SimpleQueue[tuple[Message, str, Future]] = stdlib_queue.SimpleQueue()
        in_flight: Counter[str] = Counter()
        must_reconnect = False

        def on_message(body, message: Message) -> None:
            nonlocal must_reconnect
            try:
                envelope = Envelope.from_dict(body)
            except EnvelopeError as exc:
                log.error("message_dropped_bad_envelope", reason=str(exc))
                message.ack()
                BUS_CONSUMED.labels(self.queue.name, "dropped").inc()
                return
            service = str(envelope.payload.get("service_id") or "")
            if in_flight[service] >= self.per_service:
                if self._defer(envelope):
                    message.ack()
                    BUS_CONSUMED.labels(self.queue.name, "deferred").inc()
                else:
                    must_reconnect = True
                return
            in_flight[service] += 1
            future = pool.submit(self._work, envelope)
            future.add_done_callback(lambda done, m=message, s=service: finished.put((m, s, done)))

        def settle(wait: float = 0.0) -> None:
            nonlocal must_reconnect
            while True:
                try:
                    message, service, future = finished.get(timeout=wait) if wait else finished.get_nowait()
                except stdlib_queue.Empty:
                    return
                wait = 0.0
                in_flight[service] -= 1
                outcome = future.result()
                if outcome != LEAVE:
                    message.ack()
                    self.consumed += 1
                    BUS_CONSUMED.labels(self.queue.name, outcome).inc()
                else:
                    must_reconnect = True

        with conn.Consumer([self.queue], callbacks=[on_message], accept=["json"], prefetch_count=self.concurrency):
            while not self._stop.is_set() and not must_reconnect:
                self.on_idle()
                settle()
                try:
                    # Short polls, so finished callbacks are acked (and their service's slot freed) promptly;
                    # on SQS a poll of an empty queue still lasts up to SQS_WAIT_TIME_SECONDS.
                    conn.drain_events(timeout=0.2)
                except TimeoutError:
                    pass
            # Let the callbacks in flight finish and ack them on this connection before leaving it.
            deadline = time.monotonic() + self.drain_seconds
            while sum(in_flight.values()) and time.monotonic() < deadline:
                self.on_idle()
                settle(wait=0.2)
        if must_reconnect:
            raise ReconnectRequested("a message was left for redelivery")

    def _defer(self, envelope: Envelope) -> bool:
        try:
            self.bus.publish_to(self.queue, envelope, delay_seconds=self.busy_delay_seconds)
        except PublishError as exc:
            log.error("callback_defer_failed", notification_id=envelope.notification_id, error=str(exc))
            return False
        self.deferred += 1
        log.info("callback_deferred_service_busy", service_id=envelope.payload.get("service_id"),
                 notification_id=envelope.notification_id, delay_seconds=self.busy_delay_seconds)
        return True

    def _work(self, envelope: Envelope) -> str:
        try:
            self.handler(envelope)
            return OK
        except Exception:
            log.exception("message_handler_failed", kind=envelope.kind, notification_id=envelope.notification_id,
                          message_id=envelope.message_id)
        delay = min(self.retry_delay_seconds * (2 ** min(envelope.attempt, 6)), SQS_MAX_DELAY_SECONDS)
        try:
            self.bus.publish_to(self.queue, envelope.next_attempt(), delay_seconds=delay)
            return FAILED
        except PublishError as exc:
            log.error("message_left_for_redelivery", notification_id=envelope.notification_id, error=str(exc))
            return LEAVE
