"""kombu's Redis transport, with one Redis client per channel for acks instead of one per ack.

kombu builds a new redis.Redis object for every ack and every delivery bookkeeping write
(Channel.conn_or_acquire); with redis-py 5+ each one copies some 170 response callbacks, which was
a third of the CPU a consumer spent per message (bench/sender.py). A channel is used by one thread,
and a client only borrows connections from the channel's pool per command, so one cached client
per channel behaves the same.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    @contextmanager
    def conn_or_acquire(self, client=None) -> Iterator:
        if client:
            yield client
            return
        cached = self.__dict__.get("_notify_sync_client")
        if cached is None:
            cached = self.__dict__["_notify_sync_client"] = self._create_client()
        yield cached


class Transport(kombu_redis.Transport):
    Channel = Channel
