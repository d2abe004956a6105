"""Handing an accepted notification to the send workers, after its row is committed.

A failed publish loses nothing: the row stays `created` and the scheduler's replay job re-publishes it.
So the caller still gets its 201 and the failure is logged as an error for the operator.

A publish to an unreachable broker takes seconds to fail (connect attempts and retries), and during an
outage every request would pay that. After a failure the breaker therefore skips publishing for a short
cool-down, leaving those rows to the replay job too, so intake latency stays flat while the bus is down.
"""
from __future__ import annotations

import uuid

from notify_shared import queues, statuses
from notify_shared.bus import Bus, PublishError
from notify_shared.envelope import Envelope
from notify_shared.logging import bind, get_logger

from ..breaker import CooldownBreaker

log = get_logger(__name__)

RECOVERY = "scheduler replays notifications still created"


def queue_for(notification_type: str, key_type: str) -> str:
    # Test keys go to the research-mode workers, which use the provider simulator: nothing from a test
    # key may reach a real provider.
    if key_type == statuses.KEY_TYPE_TEST:
        return queues.RESEARCH_MODE
    return queues.SEND_QUEUE_FOR_TYPE[notification_type]


def publish_send(bus: Bus, breaker: CooldownBreaker, *, notification_id: uuid.UUID, notification_type: str,
                 key_type: str, request_id: str | None) -> bool:
    """True if the bus took the message."""
    queue = queue_for(notification_type, key_type)
    if not breaker.allows():
        log.error("notification_publish_skipped", notification_id=str(notification_id), queue=queue,
                  reason="bus failed recently", recovery=RECOVERY)
        return False
    envelope = Envelope(kind=f"send-{notification_type}", notification_id=str(notification_id), request_id=request_id)
    try:
        bus.publish(queue, envelope)
    except PublishError as exc:
        breaker.record_failure()
        log.error("notification_publish_failed", notification_id=str(notification_id), queue=queue,
                  error=str(exc), recovery=RECOVERY)
        return False
    breaker.record_success()
    # Reported on the request's own line (request_finished) rather than a second line per send: a log line
    # cost intake about half as much CPU as the publish itself (docs/performance.md, intake).
    bind(notification_id=str(notification_id), queue=queue)
    return True
