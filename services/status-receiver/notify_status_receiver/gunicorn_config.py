"""gunicorn settings for the receipt webhooks, all from the environment the manifest sets.

gthread: a webhook only parses, publishes to the bus and answers, so a few threads per worker are
enough, and a probe never waits behind a database (the webhooks use none). Threads stay bounded
so excess load waits in the kernel backlog instead of piling up in the process.

Why 2 workers x 8 threads (docs/performance.md, Receipts): a receipt costs ~1.2-1.4 ms of CPU, so two
workers fill two cores; 4 threads cost the same CPU per receipt as 8 in bench/receipts.py (Redis, sub-ms
publishes), but on SQS each publish is an HTTPS call of tens of milliseconds and the threads are what
keep the workers busy meanwhile.
"""
from __future__ import annotations

import os

# First, before anything imports prometheus_client: every worker writes its metrics where any worker
# can sum them, so one scrape of /metrics covers the whole instance.
from notify_shared import gunicorn_hooks

_metrics_dir = gunicorn_hooks.use_multiprocess_metrics()

bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '6012'}"
# gthread that answers liveness on its event loop, so a probe never waits for a busy thread.
worker_class = gunicorn_hooks.PROBE_FIRST_WORKER
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
backlog = int(os.environ.get("GUNICORN_BACKLOG") or 512)
# A provider receipt is answered in milliseconds; 30 s only catches a wedged worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 20)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER") or 0)
# Request lines are logged by the app with its request id; gunicorn's own log goes to stdout.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "warning"
proc_name = "notify-status-receiver"
# gunicorn's control socket sits at one fixed per-user path; two gunicorns on a host would collide.
control_socket_disable = True
child_exit = gunicorn_hooks.child_exit


def on_exit(server) -> None:  # noqa: ANN001 - gunicorn hook signature
    _metrics_dir.remove()
