"""Liveness, readiness and Notify's `/_status`, for web and worker processes alike (DESIGN §5).

Liveness never touches the database, the bus or any lock that request handling takes: it reads an
in-memory heartbeat. Readiness runs bounded dependency checks in the background and caches the
answer, so a probe storm cannot load the database and a probe never waits on a slow check.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, Histogram, generate_latest

from .logging import get_logger

log = get_logger(__name__)

PROBE_LATENCY = Histogram("notify_probe_seconds", "Health probe latency", ["probe"],
                          buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
HEARTBEAT_AGE = Gauge("notify_worker_heartbeat_age_seconds", "Seconds since the consume loop last beat")

Check = Callable[[], None]


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
        self.failure_grace_seconds = failure_grace_seconds
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self.checks)), thread_name_prefix="readiness")
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, str]] | None = None
        self._failing_since: float | None = None
        self._draining = False

    def drain(self) -> None:
        """Shutting down: stop taking new work; readiness goes 503 while liveness stays 200."""
        self._draining = True

    def live(self) -> tuple[bool, dict[str, Any]]:
        if self.heartbeat is not None:
            age = self.heartbeat.age()
            HEARTBEAT_AGE.set(age)
            if not self.heartbeat.is_fresh():
                return False, {"status": "error", "reason": f"heartbeat stale for {age:.1f}s"}
        return True, {"status": "ok"}

    def _run_checks(self) -> dict[str, str]:
        futures = {name: self._pool.submit(check) for name, check in self.checks.items()}
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

    def ready(self) -> tuple[bool, dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            if self._cached is None or now - self._cached[0] > self.cache_seconds:
                self._cached = (now, self._run_checks())
            results = self._cached[1]
        failing = {k: v for k, v in results.items() if v != "ok"}
        live_ok, live_body = self.live()
        if not live_ok:
            failing["liveness"] = live_body["reason"]
        if self._draining:
            failing["draining"] = "shutting down"
        if failing:
            self._failing_since = self._failing_since or now
            # A short blip should not de-route every instance at once.
            if now - self._failing_since >= self.failure_grace_seconds or self._draining or not live_ok:
                return False, {"status": "error", "checks": results, "reasons": failing}
        else:
            self._failing_since = None
        return True, {"status": "ok", "checks": results}

    def status(self) -> tuple[bool, dict[str, Any]]:
        body: dict[str, Any] = {"status": "ok", "build": self.build, "git_commit": self.build, "db_version": None}
        if self.db_version is not None:
            try:
                body["db_version"] = self._pool.submit(self.db_version).result(timeout=self.budget_seconds)
            except Exception as exc:  # noqa: BLE001
                return False, {"status": "error", "build": self.build, "reason": f"database: {type(exc).__name__}"}
        return True, body


def _json(start_response, ok: bool, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response("200 OK" if ok else "503 Service Unavailable",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
                    ("Cache-Control", "no-store")])
    return [payload]


HEALTH_PATHS = ("/_status", "/_status/live", "/_status/ready", "/metrics")


def handle_health(checks: HealthChecks, environ: dict, start_response) -> list[bytes] | None:
    """Answer a health or metrics request, or return None if the path is not ours."""
    path = environ.get("PATH_INFO", "")
    if path not in HEALTH_PATHS:
        return None
    started = time.perf_counter()
    if path == "/metrics":
        payload = generate_latest()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(payload)))])
        return [payload]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if path == "/_status/live" or (path == "/_status" and query.get("simple")):
        probe, (ok, body) = "live", checks.live()
    elif path == "/_status/ready":
        probe, (ok, body) = "ready", checks.ready()
    else:
        probe, (ok, body) = "status", checks.status()
    PROBE_LATENCY.labels(probe).observe(time.perf_counter() - started)
    return _json(start_response, ok, body)


class HealthMiddleware:
    """Answers probes before the web app (auth, DB sessions, hooks) sees the request."""

    def __init__(self, app, checks: HealthChecks):
        self.app = app
        self.checks = checks

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
    """Ends the process when its heartbeat goes stale, so the platform restarts a wedged worker."""

    def __init__(self, heartbeat: Heartbeat, interval: float = 1.0, exit_code: int = 70):
        self.heartbeat = heartbeat
        self.interval = interval
        self.exit_code = exit_code
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.heartbeat.is_fresh():
                log.error("watchdog_heartbeat_stale", age=round(self.heartbeat.age(), 1),
                          stale_after=self.heartbeat.stale_after)
                os._exit(self.exit_code)
