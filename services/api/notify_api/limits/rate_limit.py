"""Notify's per-service, per-key-type request rate limit: a token bucket in Redis.

Notify (PRs #4539/#4573) refills `rate_limit / 60` tokens a second with a capacity of
`min(ceil(rate_limit / 3) + 1, 1000)`: 3,000 a minute allows bursts of 1,000 and 50 a second after.
Each key type of a service has its own bucket, so test traffic never eats into live sending.
"""
from __future__ import annotations

import math

from notify_shared import statuses
from notify_shared.errors import RateLimitError
from notify_shared.logging import get_logger

from ..api_keys import Caller
from . import daily_limits
from .store import LimitStore

log = get_logger(__name__)

INTERVAL_SECONDS = 60
MAX_BURST = 1000
# Notify reports a normal key as LIVE in the message.
KEY_TYPE_NAMES = {statuses.KEY_TYPE_NORMAL: "LIVE", statuses.KEY_TYPE_TEAM: "TEAM", statuses.KEY_TYPE_TEST: "TEST"}


def bucket_capacity(rate_limit: int) -> int:
    return min(math.ceil(rate_limit / 3) + 1, MAX_BURST)


def bucket_name(service_id: object, key_type: str) -> str:
    return f"{service_id}-tokens-{key_type}"


def check_rate_limit(store: LimitStore | None, caller: Caller,
                     notification_type: str | None = None) -> daily_limits.SentToday | None:
    """Take one token from the caller's bucket or raise Notify's 429 RateLimitError.

    With a `notification_type`, today's counts for the channels such a send may count under are read in the
    same Redis round trip and returned, for `daily_limits.check_daily_limits` to use, and the send is counted
    under its own channel (`SentToday.reserved`: the caller keeps or releases it). None when Redis is
    unavailable or not configured (limits then fail open, as everywhere here).
    """
    if store is None:
        return None
    rate_limit = caller.service.rate_limit
    day = daily_limits.today()
    channels, reserved = (), ()
    if notification_type:
        channels = daily_limits.possible_channels(notification_type)
        # possible_channels lists the type's own channel first: the one reserved.
        reserved = daily_limits.reservable_channels(notification_type, caller.key_type)
    taken = store.take_token(bucket_name(caller.service.id, caller.key_type),
                             rate_per_second=rate_limit / INTERVAL_SECONDS, capacity=bucket_capacity(rate_limit),
                             read=[daily_limits.counter_name(caller.service.id, c, caller.key_type, day)
                                   for c in channels],
                             reserve=len(reserved), ttl_seconds=daily_limits.COUNTER_TTL_SECONDS)
    if taken is None:
        return None
    allowed, counts = taken
    if not allowed:
        log.info("rate_limited", rate_limit=rate_limit)
        name = KEY_TYPE_NAMES.get(caller.key_type, caller.key_type.upper())
        raise RateLimitError(
            f"Exceeded rate limit for key type {name} of {rate_limit} requests per {INTERVAL_SECONDS} seconds")
    if not channels:
        return None
    # Counts before this send: the reserved counters already include it.
    before = {c: count - 1 if c in reserved else count for c, count in zip(channels, counts, strict=True)}
    return daily_limits.SentToday(day, before, reserved=reserved)
