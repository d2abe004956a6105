"""Notify's daily sending limits per channel, counted in Redis per UTC day.

Counters are `<service_id>-<channel>-<YYYY-MM-DD>-count` (Notify's key), checked before a send is
accepted and incremented once its row is committed. An international text counts under both `sms` and
`international_sms`. Test keys are checked against a counter of their own that is never incremented, so
test traffic never uses up or is refused by a service's allowance; trial-mode services get 50 a day per
channel on their live and team keys (Notify's trial allowance).

Like Notify, the check and the increment are separate steps, so concurrent requests at the very edge of
the limit can overshoot it by the number of requests in flight. The counts are read in the rate limit's
Redis round trip (`SentToday`), so the check itself costs no extra call on the send path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from notify_shared import statuses
from notify_shared.errors import TooManyRequestsError
from notify_shared.logging import get_logger

from ..api_keys import Caller
from .store import LimitStore

log = get_logger(__name__)

INTERNATIONAL_SMS = "international_sms"
TRIAL_DAILY_LIMIT = 50
COUNTER_TTL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class SentToday:
    """Today's counts read ahead of the check, with the token bucket (rate_limit.check_rate_limit)."""

    day: str
    counts: Mapping[str, int]


def channels_for(notification_type: str, *, international: bool = False) -> tuple[str, ...]:
    if notification_type == statuses.SMS and international:
        return (statuses.SMS, INTERNATIONAL_SMS)
    return (notification_type,)


def possible_channels(notification_type: str) -> tuple[str, ...]:
    """Every channel a send of this type may count under, before its recipient is known."""
    return channels_for(notification_type, international=True)


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def counter_name(service_id: object, channel: str, key_type: str, day: str) -> str:
    if key_type == statuses.KEY_TYPE_TEST:
        return f"{service_id}-test-{channel}-{day}-count"
    return f"{service_id}-{channel}-{day}-count"


def limit_for(caller: Caller, channel: str) -> int:
    configured = caller.service.daily_limits[channel]
    if caller.service.restricted and caller.key_type != statuses.KEY_TYPE_TEST:
        return min(configured, TRIAL_DAILY_LIMIT)
    return configured


def check_daily_limits(store: LimitStore | None, caller: Caller, channels: Sequence[str],
                       sent_today: SentToday | None = None) -> None:
    """Raise Notify's 429 TooManyRequestsError if one more send would pass a channel's limit today.

    `sent_today` holds counts already read this request (with the rate limit); Redis is asked only when they
    do not cover every channel or were read on another day.
    """
    if store is None:
        return
    day = today()
    if sent_today is not None and sent_today.day == day and all(c in sent_today.counts for c in channels):
        counts = [sent_today.counts[c] for c in channels]
    else:
        counts = store.counts([counter_name(caller.service.id, c, caller.key_type, day) for c in channels])
    if counts is None:
        return
    for channel, sent_today in zip(channels, counts, strict=True):
        limit = limit_for(caller, channel)
        if sent_today + 1 > limit:
            log.info("daily_limit_reached", channel=channel, limit=limit, sent_today=sent_today)
            raise TooManyRequestsError(f"Exceeded send limits ({channel}: {limit}) for today")


def count_sent(store: LimitStore | None, caller: Caller, channels: Sequence[str]) -> None:
    if store is None or caller.key_type == statuses.KEY_TYPE_TEST:
        return
    day = today()
    store.increment([counter_name(caller.service.id, c, caller.key_type, day) for c in channels],
                    ttl_seconds=COUNTER_TTL_SECONDS)
