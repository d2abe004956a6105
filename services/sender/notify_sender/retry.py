"""When to try a failed send again, and when to give up.

Notify retries deliveries every 5 minutes for 4 hours (48 x 300 s) and then marks them
technical-failure. We start sooner and back off: base, 2 x base, 4 x base ... capped, so a short
provider blip clears quickly while a long outage costs few attempts. The cap stays below the SQS
visibility timeout and SQS's 15 minute delay limit (Notify PR #4228).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SQS_MAX_DELAY_SECONDS = 900


@dataclass(frozen=True)
class RetryPolicy:
    base_delay_seconds: float
    max_delay_seconds: float
    budget_seconds: float

    def delay_for(self, failed_attempt: int) -> int:
        """Seconds to wait after attempt `failed_attempt` (0 = the first) before the next one."""
        delay = self.base_delay_seconds * (2 ** min(max(failed_attempt, 0), 16))
        return max(1, int(min(delay, self.max_delay_seconds, SQS_MAX_DELAY_SECONDS)))

    def next_delay(self, failed_attempt: int, first_attempt_at: datetime, now: datetime) -> int | None:
        """The delay before the next attempt, or None when it would start after the budget ran out."""
        delay = self.delay_for(failed_attempt)
        elapsed = (now - first_attempt_at).total_seconds()
        if elapsed + delay > self.budget_seconds:
            return None
        return delay
