"""Liveness, readiness and Notify's `/_status`, for web and worker processes alike (DESIGN §5).

Liveness never touches the database, the bus or any lock that request handling takes: it reads
in-memory state (a heartbeat, the request threads' progress). Readiness runs bounded dependency checks
in the background and serves the latest result, so a probe storm cannot load the database and a probe
never waits on a slow check. `answer_probe` is the one place that decides what a probe path says; the
WSGI middleware, the worker listener and the gunicorn worker's event loop all call it.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .logging import get_logger
from .metrics import HEARTBEAT_AGE, PROBE_LATENCY, render

log = get_logger(__name__)

Check = Callable[[], None]
# A liveness check reads memory only and returns None when fine, else why the process is stuck.
LivenessCheck = Callable[[], str | None]

LIVE, READY, STATUS, METRICS = "live", "ready", "status", "metrics"
HEALTH_PATHS = ("/_status", "/_status/live", "/_status/ready", "/metrics")


def readiness_budget_seconds(healthcheck_timeout_seconds: float) -> float:
    """How long readiness's dependency checks may take: half the platform's probe timeout.

    A slow dependency is then reported as a 503 with a reason well before the platform gives up on the
    probe. `make check-deploy` holds every manifest to this same rule.
    """
    return max(0.2, healthcheck_timeout_seconds * 0.5)


def probe_kind(path: str, query: str) -> str | None:
    """Which probe a request path asks for, or None if it is not a health path."""
    if path == "/_status/live":
        return LIVE
    if path == "/_status":
        # Notify's `?simple=true` (any non-empty value) is its DB-free liveness answer.
        return LIVE if parse_qs(query).get("simple") else STATUS
    if path == "/_status/ready":
        return READY
    if path == "/metrics":
        return METRICS
    return None


class Heartbeat:
    """Beaten by a worker's loop; stale means the loop is wedged."""

    def __init__(self, stale_after: float):
        self.stale_after = stale_after
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self._last

    def is_fresh(self) -> bool:
        return self.age() <= self.stale_after


class HealthChecks:
    def __init__(
        self,
        *,
        build: str,
        checks: dict[str, Check] | None = None,
        db_version: Callable[[], str | None] | None = None,
        heartbeat: Heartbeat | None = None,
        budget_seconds: float = 0.5,
        cache_seconds: float = 1.0,
        failure_grace_seconds: float = 2.0,
    ):
        self.build = build
        self.checks = checks or {}
        self.db_version = db_version
        self.heartbeat = heartbeat
        self.budget_seconds = budget_seconds
        self.cache_seconds = cache_seconds
        # Each instance waits a slightly different time before a failing dependency makes it unready, so
        # a database blip longer than the grace does not de-route every instance in the same second.
        self.failure_grace_seconds = failure_grace_seconds * random.uniform(1.0, 1.5)
        self._liveness: dict[str, LivenessCheck] = {}
        self._check_pool = ThreadPoolExecutor(max_workers=max(1, len(self.checks)), thread_name_prefix="readiness")
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness-refresh")
        self._status_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="status")
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, str]] | None = None
        self._refreshing: Future | None = None
        self._failing_since: float | None = None
        self._draining = False
        if heartbeat is not None:
            HEARTBEAT_AGE.set_function(heartbeat.age)

    def drain(self) -> None:
        """Shutting down: stop taking new work; readiness goes 503 while liveness stays 200."""
        self._draining = True

    def add_liveness_check(self, name: str, check: LivenessCheck) -> None:
        """Another in-memory sign of progress (for example a web worker's request threads)."""
        self._liveness[name] = check

    # ------------------------------------------------------------------ liveness

    def live(self) -> tuple[bool, dict[str, Any]]:
        reasons = []
        if self.heartbeat is not None and not self.heartbeat.is_fresh():
            reasons.append(f"heartbeat stale for {self.heartbeat.age():.1f}s")
        for name, check in self._liveness.items():
            reason = check()
            if reason:
                reasons.append(f"{name}: {reason}")
        if reasons:
            return False, {"status": "error", "reason": "; ".join(reasons)}
        return True, {"status": "ok"}

    # ------------------------------------------------------------------ readiness

    def _run_checks(self) -> dict[str, str]:
        futures = {name: self._check_pool.submit(check) for name, check in self.checks.items()}
        deadline = time.monotonic() + self.budget_seconds
        results: dict[str, str] = {}
        for name, future in futures.items():
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
                results[name] = "ok"
            except FutureTimeout:
                results[name] = f"timed out after {self.budget_seconds:.2f}s"
            except Exception as exc:  # noqa: BLE001 - any failure makes the dependency unready
                results[name] = f"{type(exc).__name__}"
        return results

    def _refresh(self) -> None:
        results = self._run_checks()
        with self._lock:
            self._cached = (time.monotonic(), results)

    def _results(self, *, wait: bool) -> dict[str, str] | None:
        """The latest check results, refreshing them in the background once they are a second old.

        A slightly stale answer is served while the refresh runs. Only when there is no usable answer
        at all (the first probe) does a caller with `wait` block, for at most the budget.
        """
        if not self.checks:
            return {}
        now = time.monotonic()
        with self._lock:
            cached = self._cached
            age = now - cached[0] if cached is not None else None
            if age is None or age > self.cache_seconds:
                if self._refreshing is None or self._refreshing.done():
                    self._refreshing = self._refresher.submit(self._refresh)
            refreshing = self._refreshing
        if age is not None and age <= self.cache_seconds + self.budget_seconds + 1.0:
            return cached[1]
        if not wait:
            return None
        try:
            refreshing.result(timeout=self.budget_seconds + 0.1)
        except FutureTimeout:
            pass
        with self._lock:
            if self._cached is not None:
                return self._cached[1]
        return {name: f"timed out after {self.budget_seconds:.2f}s" for name in self.checks}

    def ready(self, *, wait: bool = True) -> tuple[bool, dict[str, Any]] | None:
        """(ready, body); None only when `wait` is false and no answer is at hand yet."""
        own: dict[str, str] = {}
        live_ok, live_body = self.live()
        if not live_ok:
            own["liveness"] = live_body["reason"]
        if self._draining:
            own["draining"] = "shutting down"
        results = self._results(wait=wait and not own)
        if results is None and own:
            # Stuck or draining: not ready, whatever the dependencies would say.
            return False, {"status": "error", "checks": {}, "reasons": own}
        if results is None:
            return None
        now = time.monotonic()
        failing = {**{k: v for k, v in results.items() if v != "ok"}, **own}
        if not failing:
            self._failing_since = None
            return True, {"status": "ok", "checks": results}
        self._failing_since = self._failing_since or now
        # A short blip should not de-route every instance at once.
        if now - self._failing_since >= self.failure_grace_seconds or self._draining or not live_ok:
            return False, {"status": "error", "checks": results, "reasons": failing}
        return True, {"status": "ok", "checks": results}

    # ------------------------------------------------------------------ Notify's /_status

    def status(self) -> tuple[bool, dict[str, Any]]:
        body: dict[str, Any] = {"status": "ok", "build": self.build, "git_commit": self.build, "db_version": None}
        if self.db_version is not None:
            try:
                body["db_version"] = self._status_pool.submit(self.db_version).result(timeout=self.budget_seconds)
            except Exception as exc:  # noqa: BLE001
                return False, {"status": "error", "build": self.build, "reason": f"database: {type(exc).__name__}"}
        return True, body


def answer_probe(checks: HealthChecks, kind: str, *, wait: bool = True) -> tuple[bool, dict[str, Any]] | None:
    """What a liveness, readiness or status probe answers; None if it cannot be answered without waiting."""
    if kind == LIVE:
        return checks.live()
    if kind == READY:
        return checks.ready(wait=wait)
    if kind == STATUS:
        return checks.status() if wait else None
    raise ValueError(f"not a probe: {kind}")


def probe_response(ok: bool, body: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    payload = json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
               ("Cache-Control", "no-store")]
    return ("200 OK" if ok else "503 Service Unavailable"), headers, payload


def handle_health(checks: HealthChecks, environ: dict, start_response) -> list[bytes] | None:
    """Answer a health or metrics request, or return None if the path is not ours."""
    kind = probe_kind(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    if kind is None:
        return None
    if kind == METRICS:
        payload, content_type = render()
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
        return [payload]
    started = time.perf_counter()
    ok, body = answer_probe(checks, kind)
    PROBE_LATENCY.labels(kind, "thread").observe(time.perf_counter() - started)
    status, headers, payload = probe_response(ok, body)
    start_response(status, headers)
    return [payload]


class HealthMiddleware:
    """Answers probes before the web app (auth, DB sessions, hooks) sees the request.

    Under gunicorn the request still waits for a free thread first; the ProbeFirstWorker in
    notify_shared.gunicorn_worker finds `health_checks` here and answers liveness before that queue.
    """

    def __init__(self, app, checks: HealthChecks):
        self.app = app
        self.checks = checks
        self.health_checks = checks

    def __call__(self, environ, start_response):
        answered = handle_health(self.checks, environ, start_response)
        return answered if answered is not None else self.app(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # probes every few seconds would drown the logs
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class HealthServer:
    """A small listener thread for worker processes, which have no web server of their own."""

    def __init__(self, checks: HealthChecks, host: str, port: int):
        def app(environ, start_response):
            answered = handle_health(checks, environ, start_response)
            if answered is None:
                start_response("404 Not Found", [("Content-Type", "application/json")])
                return [b'{"status":"error","reason":"not found"}']
            return answered

        self._server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="health", daemon=True)

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("health_listener_started", port=self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Watchdog:
    """Ends the process when its heartbeat goes stale, so the platform restarts a wedged worker.

    It waits `grace_seconds` past the point where liveness turns 503, so a platform or compose probe
    sees the unhealthy state (and the reason) before the process disappears.
    """

    def __init__(self, heartbeat: Heartbeat, interval: float = 1.0, exit_code: int = 70,
                 grace_seconds: float | None = None):
        self.heartbeat = heartbeat
        self.interval = interval
        self.exit_code = exit_code
        self.grace_seconds = grace_seconds if grace_seconds is not None else \
            min(10.0, max(2.0, heartbeat.stale_after * 0.1))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            age = self.heartbeat.age()
            if age > self.heartbeat.stale_after + self.grace_seconds:
                log.error("watchdog_heartbeat_stale", age=round(age, 1), stale_after=self.heartbeat.stale_after)
                # Leave at once: cleanup handlers could hang on whatever wedged the loop.
                os._exit(self.exit_code)
