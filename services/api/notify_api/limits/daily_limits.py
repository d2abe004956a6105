"""Notify's daily sending limits per channel, counted in Redis per UTC day.

Counters are `<service_id>-<channel>-<YYYY-MM-DD>-count` (Notify's key), checked before a send is
accepted and incremented once its row is committed. An international text counts under both `sms` and
`international_sms`. Test keys are checked against a counter of their own that is never incremented, so
test traffic never uses up or is refused by a service's allowance; trial-mode services get 50 a day per
channel on their live and team keys (Notify's trial allowance).

A send is counted when its rate-limit token is taken: the token bucket's Redis script adds one to the
counter of the send's own channel in the same round trip (`SentToday.reserved`), and the reservation is
given back (`release`) if the request then fails or the recipient is simulated. So a send costs one Redis
call before its transaction and none after it, and concurrent requests at the edge of a limit cannot
overshoot it. Only an international text's second counter, unknown until the number is read, is added
after the commit (`count_sent`). A process that dies between the token and the commit leaves its
reservation counted: the day's count may then be high by the requests that were in flight.
"""
from __future__ import annotations

import time
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


@dataclass
class SentToday:
    """Today's counts read with the token bucket (rate_limit.check_rate_limit), before this send.

    `reserved` channels already count this send (the script added one); `release` gives them back unless
    `keep` was called once the send was committed.
    """

    day: str
    counts: Mapping[str, int]
    reserved: tuple[str, ...] = ()
    kept: bool = False

    def keep(self) -> None:
        self.kept = True


def channels_for(notification_type: str, *, international: bool = False) -> tuple[str, ...]:
    if notification_type == statuses.SMS and international:
        return (statuses.SMS, INTERNATIONAL_SMS)
    return (notification_type,)


def possible_channels(notification_type: str) -> tuple[str, ...]:
    """Every channel a send of this type may count under, before its recipient is known."""
    return channels_for(notification_type, international=True)


_SECONDS_PER_DAY = 86_400
# (UTC day number, its date): every send needs the date two or three times, and formatting it afresh each
# time was about 1% of intake's CPU.
_today: tuple[int, str] = (-1, "")


def today() -> str:
    global _today
    day = int(time.time() // _SECONDS_PER_DAY)
    if _today[0] != day:
        _today = (day, datetime.fromtimestamp(day * _SECONDS_PER_DAY, UTC).strftime("%Y-%m-%d"))
    return _today[1]


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


def reservable_channels(notification_type: str, key_type: str) -> tuple[str, ...]:
    """The channels a send of this type is counted under before its body is read: its own type's.

    Test keys are never counted."""
    if key_type == statuses.KEY_TYPE_TEST:
        return ()
    return (notification_type,)


def count_sent(store: LimitStore | None, caller: Caller, channels: Sequence[str],
               sent_today: SentToday | None = None) -> None:
    """Count a committed send under the channels its token did not reserve already."""
    if sent_today is not None:
        sent_today.keep()
    if store is None or caller.key_type == statuses.KEY_TYPE_TEST:
        return
    reserved = sent_today.reserved if sent_today is not None else ()
    pending = [c for c in channels if c not in reserved]
    if not pending:
        return
    day = today()
    store.increment([counter_name(caller.service.id, c, caller.key_type, day) for c in pending],
                    ttl_seconds=COUNTER_TTL_SECONDS)


def release(store: LimitStore | None, caller: Caller, sent_today: SentToday | None) -> None:
    """Give back a reservation whose send was refused, failed or simulated (once; never after `keep`)."""
    if store is None or sent_today is None or sent_today.kept or not sent_today.reserved:
        return
    sent_today.keep()
    store.decrement([counter_name(caller.service.id, c, caller.key_type, sent_today.day)
                     for c in sent_today.reserved])
