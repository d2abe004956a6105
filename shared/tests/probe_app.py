"""A WSGI app for the gunicorn worker tests: requests that hold a thread, behind the real middlewares.

`/hold?seconds=N` keeps its thread for N seconds, as a request waiting on a slow query would;
`/v2/notifications` does the same but counts as a slow read for the load shedder.
"""
from __future__ import annotations

import os
import time
from urllib.parse import parse_qs

from notify_shared.health import HealthChecks, HealthMiddleware
from notify_shared.shedding import LoadShedder

HOLDING_PATHS = ("/hold", "/v2/notifications")


def app(environ, start_response):
    if environ["PATH_INFO"] in HOLDING_PATHS:
        time.sleep(float(parse_qs(environ["QUERY_STRING"]).get("seconds", ["2"])[0]))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = b"done " + (environ["wsgi.input"].read(length) if length else b"")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


checks = HealthChecks(build="test", checks={"dependency": lambda: None}, cache_seconds=60)
served = app
if os.environ.get("TEST_MAX_IN_FLIGHT"):
    served = LoadShedder(app, max_in_flight=int(os.environ["TEST_MAX_IN_FLIGHT"]), max_slow_reads=1,
                         is_slow_read=lambda environ: environ["PATH_INFO"] == "/v2/notifications")
application = HealthMiddleware(served, checks)
