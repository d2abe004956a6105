"""Per-request bookkeeping: a request id on every log line and response, and one line per request."""
from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request
from prometheus_client import Histogram

from notify_shared.logging import bind, clear, get_logger

log = get_logger(__name__)

REQUEST_ID_HEADER = "X-Request-Id"
# A caller's id is echoed into logs and headers, so only short, plain values are taken as they are.
ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

REQUEST_SECONDS = Histogram(
    "notify_api_request_seconds", "API request latency", ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def current_request_id() -> str | None:
    return g.get("request_id")


def _start(service_name: str) -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if ACCEPTABLE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
    g.started = time.perf_counter()
    # Threads are reused across requests: start every request from a clean logging context.
    clear()
    bind(request_id=g.request_id, service=service_name)


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    REQUEST_SECONDS.labels(request.method, endpoint, str(response.status_code)).observe(elapsed)
    log.info("request_finished", method=request.method, path=request.path, status=response.status_code,
             duration_ms=round(elapsed * 1000, 2))
    return response


def _teardown(_exc: BaseException | None) -> None:
    clear()


def install(app: Flask, *, service_name: str) -> None:
    app.before_request(lambda: _start(service_name))
    app.after_request(_finish)
    app.teardown_request(_teardown)
