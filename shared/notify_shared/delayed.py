"""Delayed messages on the Redis transport, which has no per-message delay of its own.

SQS holds a message back for its DelaySeconds; kombu's Redis transport ignores the delay and the
message is delivered at once, so every retry "with a delay" would come straight back: a hot loop.
On Redis the bus therefore parks a delayed envelope in a sorted set per queue, scored by the time it
is due, and consumers move due envelopes onto their queue (Bus.release_due, called from their
consume loops at most once a second per queue and process).

A release publishes first and removes from the set afterwards, under a short per-queue lock: a
consumer dying in between leaves the envelope parked, to be released again by the next one, so
nothing is lost; at worst an envelope is delivered twice, which every consumer already tolerates
(delivery is at-least-once).
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable

import redis
from kombu import Queue

from .envelope import Envelope, EnvelopeError
from .logging import get_logger

log = get_logger(__name__)

RELEASE_EVERY_SECONDS = 1.0
RELEASE_BATCH = 500
LOCK_MILLISECONDS = 10_000


def parked_key(q: Queue) -> str:
    return f"notify.delayed:{q.name}"


class RedisDelays:
    def __init__(self, url: str, *, timeout_seconds: float):
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_seconds,
                                            socket_connect_timeout=timeout_seconds)
        self._next_release: dict[str, float] = {}
        self._lock = threading.Lock()

    def hold(self, q: Queue, envelope: Envelope, delay_seconds: float) -> None:
        """Park `envelope` until `delay_seconds` from now. Raises redis errors (the caller's PublishError)."""
        member = json.dumps({"envelope": envelope.to_dict()}, sort_keys=True)
        self._client.zadd(parked_key(q), {member: time.time() + delay_seconds})

    def parked(self, q: Queue) -> int:
        return int(self._client.zcard(parked_key(q)))

    def release_due(self, q: Queue, publish: Callable[[Queue, Envelope], None], *, force: bool = False) -> int:
        """Publish the envelopes for `q` that are due; returns how many. Never raises."""
        now = time.time()
        with self._lock:
            if not force and now < self._next_release.get(q.name, 0.0):
                return 0
            self._next_release[q.name] = now + RELEASE_EVERY_SECONDS
        key = parked_key(q)
        token = uuid.uuid4().hex
        released = 0
        try:
            if not self._client.zcount(key, "-inf", now):
                return 0
            if not self._client.set(f"{key}:lock", token, nx=True, px=LOCK_MILLISECONDS):
                return 0  # another consumer is releasing this queue right now
            try:
                for member in self._client.zrangebyscore(key, "-inf", now, start=0, num=RELEASE_BATCH):
                    try:
                        envelope = Envelope.from_dict(json.loads(member)["envelope"])
                    except (ValueError, KeyError, TypeError, EnvelopeError) as exc:
                        log.error("delayed_message_dropped", queue=q.name, reason=str(exc))
                    else:
                        publish(q, envelope)
                        released += 1
                    self._client.zrem(key, member)
            finally:
                if self._client.get(f"{key}:lock") == token.encode():
                    self._client.delete(f"{key}:lock")
        except Exception as exc:  # noqa: BLE001 - the parked envelopes stay parked for the next release
            log.warning("delayed_messages_not_released", queue=q.name, released=released, error=type(exc).__name__)
        return released

    def close(self) -> None:
        self._client.close()
