"""The Redis side of the limits: a token bucket and daily counters, failing open.

Notify treats Redis as an aid, not a dependency: if it cannot be reached, a request is let through
and the failure logged (notifications-api `token_bucket_rate_limit_exceeded`, "we have troubles
reaching redis and should allow this"). Every method here therefore returns None instead of raising
when Redis fails, and a cool-down breaker keeps an outage from costing each request a timeout.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import redis

from notify_shared.config import redact_url
from notify_shared.logging import get_logger

from ..breaker import CooldownBreaker

log = get_logger(__name__)

T = TypeVar("T")

# A token bucket per key: refilled continuously at `rate` tokens a second up to `capacity`, never
# below zero, and a request takes one token if there is one. Redis's own clock is used so that every
# API instance measures time the same way. Rejected requests take nothing, as in Notify.
# KEYS[2..] are daily counters read in the same round trip (intake then needs one Redis call for its
# limits instead of three); the first ARGV[3] of them are reserved when a token is taken: one is added, and a
# new counter expires after ARGV[4] s. The reply is {allowed, count of KEYS[2], ...}, reservations included.
TOKEN_BUCKET = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
local reserve = 0
if allowed == 1 then
  reserve = tonumber(ARGV[3] or '0')
end
local result = {allowed}
for i = 2, #KEYS do
  if i - 1 <= reserve then
    result[i] = redis.call('INCR', KEYS[i])
    if redis.call('TTL', KEYS[i]) < 0 then
      redis.call('EXPIRE', KEYS[i], ARGV[4])
    end
  else
    result[i] = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  end
end
return result
"""

# Daily counters: add one to each of KEYS, giving a counter its expiry (ARGV[1] s) when it has none yet, so
# a counter created by the first send of the day lives a day. One round trip, one command to parse.
INCREMENT = """
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  if redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
end
return #KEYS
"""


class LimitStore:
    def __init__(self, url: str, *, timeout_seconds: float, breaker: CooldownBreaker, key_prefix: str = ""):
        self.key_prefix = key_prefix
        self.breaker = breaker
        self._url_for_logs = redact_url(url)
        self._client = redis.Redis.from_url(url, socket_timeout=timeout_seconds,
                                            socket_connect_timeout=timeout_seconds, retry_on_timeout=False)
        self._token_bucket = self._client.register_script(TOKEN_BUCKET)
        self._increment = self._client.register_script(INCREMENT)

    def key(self, name: str) -> str:
        return f"{self.key_prefix}{name}"

    def take_token(self, name: str, *, rate_per_second: float, capacity: int, read: Sequence[str] = (),
                   reserve: int = 0, ttl_seconds: int = 0) -> tuple[bool, list[int]] | None:
        """(True if the bucket had a token (now taken), False if empty; the counts of the `read` counters),
        or None if Redis is unavailable. One round trip. With a token taken, the first `reserve` of the `read`
        counters get one added first (a new one expiring after `ttl_seconds`)."""
        def take() -> tuple[bool, list[int]]:
            reply = self._token_bucket(keys=[self.key(name), *(self.key(n) for n in read)],
                                       args=[repr(rate_per_second), capacity, reserve, ttl_seconds])
            return bool(reply[0]), [int(count) for count in reply[1:]]

        return self._run("token_bucket", take)

    def counts(self, names: Sequence[str]) -> list[int] | None:
        def read() -> list[int]:
            return [int(value or 0) for value in self._client.mget([self.key(n) for n in names])]

        return self._run("daily_counts", read)

    def increment(self, names: Sequence[str], *, ttl_seconds: int) -> None:
        def write() -> None:
            self._increment(keys=[self.key(n) for n in names], args=[ttl_seconds])

        self._run("daily_increment", write)

    def decrement(self, names: Sequence[str]) -> None:
        def write() -> None:
            pipe = self._client.pipeline(transaction=False)
            for name in names:
                pipe.decr(self.key(name))
            pipe.execute()

        self._run("daily_release", write)

    def _run(self, operation: str, action: Callable[[], T]) -> T | None:
        if not self.breaker.allows():
            return None
        try:
            result = action()
        except redis.RedisError as exc:
            self.breaker.record_failure()
            log.error("redis_unavailable_limits_not_enforced", operation=operation, redis=self._url_for_logs,
                      error=type(exc).__name__, detail=str(exc)[:200],
                      skipped_for_seconds=self.breaker.cooldown_seconds)
            return None
        self.breaker.record_success()
        return result

    def close(self) -> None:
        self._client.close()
