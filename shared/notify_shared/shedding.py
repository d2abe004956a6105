"""Load shedding for the web services: bulkheads in front of the WSGI app (DESIGN §5).

Overload is shed, not queued. Each process lets at most `max_in_flight` requests into the app at
once, sized from its database pool: the pool's connections plus a small queue that waits at most
the pool timeout. A request beyond that is answered at once with Notify's 503 envelope and a
`Retry-After`, before authentication or any database work, so it costs microseconds instead of
holding a thread while it waits for a connection it will not get in time.

Slow reads (large listings) get a smaller bulkhead of their own inside that one, so they can never
take every connection and starve intake: when they pile up, only they are shed.

For shedding to answer quickly there must be threads to answer with: gunicorn needs more threads
than `max_in_flight` (ApiSettings.validate and `make check-deploy` insist on it).
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable

from .errors import ServiceUnavailableError
from .logging import get_logger
from .metrics import IN_FLIGHT, SHED

log = get_logger(__name__)

ALL_REQUESTS = "all"
SLOW_READS = "slow_reads"
SHED_MESSAGE = "Service temporarily unavailable, try again later"


class Bulkhead:
    """A counter with a ceiling: entering never waits, it either gets a place or is refused."""

    def __init__(self, name: str, limit: int):
        if limit < 1:
            raise ValueError(f"bulkhead {name} needs a limit of at least 1, got {limit}")
        self.name = name
        self.limit = limit
        self.in_flight = 0
        self._lock = threading.Lock()

    def try_enter(self) -> bool:
        with self._lock:
            if self.in_flight >= self.limit:
                return False
            self.in_flight += 1
        IN_FLIGHT.labels(self.name).inc()
        return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1
        IN_FLIGHT.labels(self.name).dec()


class _LeaveOnClose:
    """The app's response iterable; the request holds its places until the server closes the response."""

    def __init__(self, result: Iterable[bytes], leave: Callable[[], None]):
        self._result = result
        self._leave = leave

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._leave()


class LoadShedder:
    """WSGI middleware: requests enter the app through the bulkheads or are answered 503 at once."""

    def __init__(self, app, *, max_in_flight: int, max_slow_reads: int | None = None,
                 is_slow_read: Callable[[dict], bool] = lambda environ: False, retry_after_seconds: int = 1):
        self.app = app
        self.all = Bulkhead(ALL_REQUESTS, max_in_flight)
        self.slow = Bulkhead(SLOW_READS, max_slow_reads) if max_slow_reads else None
        self.is_slow_read = is_slow_read
        self.retry_after_seconds = retry_after_seconds
        self._shed_since_log = 0
        self._last_log = 0.0

    def __call__(self, environ, start_response):
        slow = self.slow if self.slow is not None and self.is_slow_read(environ) else None
        if slow is not None and not slow.try_enter():
            return self._shed(slow.name, start_response)
        if not self.all.try_enter():
            if slow is not None:
                slow.leave()
            return self._shed(self.all.name, start_response)

        def leave() -> None:
            self.all.leave()
            if slow is not None:
                slow.leave()

        try:
            result = self.app(environ, start_response)
        except BaseException:
            leave()
            raise
        return _LeaveOnClose(result, leave)

    def _shed(self, bulkhead: str, start_response) -> list[bytes]:
        SHED.labels(bulkhead).inc()
        self._log_shedding(bulkhead)
        error = ServiceUnavailableError(SHED_MESSAGE, retry_after=self.retry_after_seconds)
        payload = json.dumps(error.to_body()).encode()
        start_response("503 Service Unavailable", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
            *error.headers.items(),
        ])
        return [payload]

    def _log_shedding(self, bulkhead: str) -> None:
        # One line a second at most: under a spike, a line per shed request would be its own overload.
        self._shed_since_log += 1
        now = time.monotonic()
        if now - self._last_log >= 1.0:
            log.warning("load_shed", bulkhead=bulkhead, shed=self._shed_since_log, in_flight=self.all.in_flight,
                        limit=self.all.limit, slow_in_flight=self.slow.in_flight if self.slow else None)
            self._shed_since_log = 0
            self._last_log = now
