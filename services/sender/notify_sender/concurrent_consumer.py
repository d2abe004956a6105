"""Consume send queues with several sends in flight, acking only on the thread that received.

A kombu connection (and its SQS channel) is not thread-safe, so each consume loop is a thread with
its own connection: it receives, hands each message to a shared thread pool, and acks a message once
its handler has finished. Each queue gets its own loops: kombu polls a connection's queues in turn,
each with an SQS long poll, so three queues on one connection could leave a message (or an ack)
waiting for two other queues' long polls. A busy queue gets several loops (`consumers_per_queue`):
receiving and acking take round trips to the broker, and at hundreds of messages a second one loop
doing all of them, among a hundred threads sharing the GIL, left the send threads idle.

Handlers may publish: notify_shared.bus.Bus keeps one connection per thread. Each loop's prefetch is
its share of the concurrency, so kombu stops fetching while that many of its messages are in
flight. A handler that raises is treated as the shared Consumer treats it: the envelope is
re-published for a later attempt and the original acked; if even that publish fails the message is
left unacked, the loop reconnects, and the broker delivers it again.
"""
from __future__ import annotations

import queue as stdlib_queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from kombu import Connection
from kombu.message import Message

from notify_shared.bus import SQS_MAX_DELAY_SECONDS, Bus, PublishError, ack_all
from notify_shared.envelope import Envelope, EnvelopeError
from notify_shared.logging import get_logger
from notify_shared.redis_fetch import supports_take, take_waiting

log = get_logger(__name__)

QueueHandler = Callable[[Envelope, str], None]

ACK = "ack"
LEAVE = "leave"  # not acked: the broker redelivers it


class ReconnectRequested(Exception):
    """A message could not be settled; reconnecting returns it to the broker."""


class ConcurrentConsumer:
    def __init__(self, bus: Bus, queues: Iterable[str], handler: QueueHandler, *, concurrency: int,
                 consumers_per_queue: int = 1,
                 on_idle: Callable[[], None] | None = None, retry_delay_seconds: int = 5,
                 drain_seconds: float = 30.0, loop_stale_seconds: float = 30.0,
                 thread_initializer: Callable[[], None] | None = None):
        self.bus = bus
        self.queue_names = list(queues)
        self.handler = handler
        self.concurrency = max(1, concurrency)
        self.consumers_per_queue = max(1, min(consumers_per_queue, self.concurrency))
        # Each consume loop of a queue may hold its share of the sends in flight.
        self.prefetch = -(-self.concurrency // self.consumers_per_queue)
        self.loop_ids = [f"{name}#{n}" for name in self.queue_names for n in range(self.consumers_per_queue)]
        self.on_idle = on_idle or (lambda: None)
        self.retry_delay_seconds = retry_delay_seconds
        self.drain_seconds = drain_seconds
        self.loop_stale_seconds = loop_stale_seconds
        self.thread_initializer = thread_initializer
        self._stop = threading.Event()
        self._beats = {loop_id: time.monotonic() for loop_id in self.loop_ids}
        self._consumed_lock = threading.Lock()
        self.consumed = 0

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Block until stopped. The process heartbeat beats only while every queue loop is turning."""
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="send",
                                  initializer=self.thread_initializer)
        loops = [threading.Thread(target=self._run_queue, args=(loop_id, pool), name=f"consume-{loop_id}",
                                  daemon=True)
                 for loop_id in self.loop_ids]
        for loop in loops:
            loop.start()
        try:
            while not self._stop.wait(0.5):
                oldest = max(time.monotonic() - beat for beat in self._beats.values())
                if oldest <= self.loop_stale_seconds:
                    self.on_idle()
                else:
                    log.error("consume_loop_stalled", seconds=round(oldest, 1))
            for loop in loops:
                while loop.is_alive():
                    self.on_idle()
                    loop.join(0.5)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            log.info("consumer_stopped", consumed=self.consumed)

    def _beat(self, loop_id: str) -> None:
        self._beats[loop_id] = time.monotonic()

    def _run_queue(self, loop_id: str, pool: ThreadPoolExecutor) -> None:
        name = loop_id.rsplit("#", 1)[0]
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with self.bus.connection() as conn:
                    conn.ensure_connection(max_retries=1)
                    self._consume(name, loop_id, conn, pool)
                backoff = 0.5
            except Exception as exc:  # broker down or a message to return: reconnect with backoff
                if self._stop.is_set():
                    break
                log.warning("bus_connection_lost", queue=name, error=type(exc).__name__, retry_in=backoff)
                self._beat(loop_id)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)

    def _consume(self, name: str, loop_id: str, conn: Connection, pool: ThreadPoolExecutor) -> None:
        finished: stdlib_queue.SimpleQueue[tuple[Message, Future]] = stdlib_queue.SimpleQueue()
        in_flight = 0
        must_reconnect = False

        def on_message(body, message: Message) -> None:
            nonlocal in_flight
            try:
                envelope = Envelope.from_dict(body)
            except EnvelopeError as exc:
                log.error("message_dropped_bad_envelope", queue=name, reason=str(exc))
                message.ack()
                return
            future = pool.submit(self._work, envelope, name)
            in_flight += 1
            future.add_done_callback(lambda done, m=message: finished.put((m, done)))

        def settle(wait: float = 0.0) -> None:
            nonlocal in_flight, must_reconnect
            done: list[Message] = []
            while True:
                try:
                    message, future = finished.get(timeout=wait) if wait else finished.get_nowait()
                except stdlib_queue.Empty:
                    break
                wait = 0.0
                in_flight -= 1
                if future.result() == ACK:
                    done.append(message)
                else:
                    must_reconnect = True
            if done:
                # Every finished send's work is committed (or re-published): ack them in one broker call.
                ack_all(done)
                with self._consumed_lock:
                    self.consumed += len(done)

        queue = self.bus.queue(name)
        with conn.Consumer([queue], callbacks=[on_message], accept=["json"], prefetch_count=self.prefetch) as consumer:
            channel = consumer.channel
            take = supports_take(channel)
            while not self._stop.is_set() and not must_reconnect:
                self._beat(loop_id)
                # On Redis, retries published with a delay wait outside the queue until due (bus.py).
                self.bus.release_due(queue)
                settle()
                if in_flight >= self.prefetch:
                    # Every slot is busy: wait for a send to finish rather than poll a full prefetch.
                    settle(wait=0.25)
                    continue
                try:
                    # Short while sends are in flight: finished ones are acked between polls (an SQS long
                    # poll may still hold it). An idle loop (a quiet queue) wakes less often.
                    conn.drain_events(timeout=0.25 if in_flight else 1.0)
                except TimeoutError:  # socket.timeout
                    continue
                if take:
                    # Redis delivers one message per round trip plus one to record it as unacked: take what
                    # else is waiting, up to the free slots, in one (notify_shared.redis_fetch).
                    for message in take_waiting(channel, queue.name, self.prefetch - in_flight):
                        message.accept = consumer.accept
                        try:
                            body = message.decode()
                        except Exception as exc:  # noqa: BLE001 - kombu raises several kinds for bad content
                            log.error("message_dropped_bad_envelope", queue=name, reason=type(exc).__name__)
                            message.ack()
                            continue
                        on_message(body, message)
            # Let the sends in flight finish and ack them on this connection before leaving it.
            deadline = time.monotonic() + self.drain_seconds
            while in_flight and time.monotonic() < deadline:
                self._beat(loop_id)
                settle(wait=0.2)
            if in_flight:
                log.warning("consumer_left_sends_in_flight", queue=name, in_flight=in_flight)
        if must_reconnect:
            raise ReconnectRequested("a message was left for redelivery")

    def _work(self, envelope: Envelope, queue_name: str) -> str:
        try:
            self.handler(envelope, queue_name)
            return ACK
        except Exception:
            log.exception("message_handler_failed", kind=envelope.kind, notification_id=envelope.notification_id,
                          message_id=envelope.message_id)
        delay = min(self.retry_delay_seconds * (2 ** min(envelope.attempt, 6)), SQS_MAX_DELAY_SECONDS)
        try:
            self.bus.publish(queue_name, envelope.next_attempt(), delay_seconds=delay)
            return ACK
        except PublishError as exc:
            log.error("message_left_for_redelivery", notification_id=envelope.notification_id, error=str(exc))
            return LEAVE
