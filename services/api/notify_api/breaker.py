"""A cool-down breaker for optional dependencies (the bus on the send path, Redis for limits).

After a failure the dependency is skipped for `cooldown_seconds`, then tried again. A dependency that
is down therefore costs one timeout per cool-down, not one per request, and its outage is logged once
per cool-down rather than on every request.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CooldownBreaker:
    """Open for `cooldown_seconds` after a failure; the next call after that is tried again."""

    def __init__(self, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return self.clock() >= self._open_until

    def record_failure(self) -> None:
        with self._lock:
            self._open_until = self.clock() + self.cooldown_seconds

    def record_success(self) -> None:
        # Called on every successful call: take the lock only when there is something to reset.
        if self._open_until:
            with self._lock:
                self._open_until = 0.0
