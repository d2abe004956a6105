"""gunicorn settings, all from the environment through ApiSettings.

Start command (deploy manifests and notify_devstack use exactly this):
    python -m gunicorn -c python:notify_api.gunicorn_config notify_api.wsgi:application
"""
from __future__ import annotations

import os
import sys

# First, before anything imports prometheus_client: every worker writes its metrics where any worker
# can sum them, so one scrape of /metrics covers the whole instance.
from notify_shared import gunicorn_hooks

_metrics_dir = gunicorn_hooks.use_multiprocess_metrics()

from notify_api.config import ApiSettings  # noqa: E402

_settings = ApiSettings.from_env().validate()

bind = f"{_settings.host}:{_settings.port}"
# gthread: real threads, so psycopg2 and boto3 need no monkey-patching (eventlet was removed from
# gunicorn 26; gevent would need psycogreen). The ProbeFirstWorker is gthread that answers liveness on
# its event loop instead of queueing probes behind busy threads (notify_shared.gunicorn_worker); plain
# gthread is only for the incident drill's naive run.
worker_class = gunicorn_hooks.PROBE_FIRST_WORKER if _settings.probe_fast_path else gunicorn_hooks.PLAIN_THREAD_WORKER
workers = _settings.gunicorn_workers
threads = _settings.gunicorn_threads
timeout = _settings.gunicorn_timeout_seconds
graceful_timeout = _settings.gunicorn_graceful_timeout_seconds
keepalive = _settings.gunicorn_keepalive_seconds
backlog = _settings.gunicorn_backlog
max_requests = _settings.gunicorn_max_requests
max_requests_jitter = _settings.gunicorn_max_requests_jitter

# gunicorn 25.1+ opens a control socket at one fixed per-user path, so every gunicorn on a host (API,
# status-receiver, parallel test runs) would fight over it. Off unless a path is given.
if _settings.gunicorn_control_socket:
    control_socket = _settings.gunicorn_control_socket
else:
    control_socket_disable = True

# Each request writes its own structured log line; gunicorn's access log would only duplicate it.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "notify-api"

# The worker heartbeat file lives in RAM where possible, so a slow disk cannot get a healthy worker killed.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def worker_exit(server, worker) -> None:  # noqa: ANN001 - gunicorn hook signature
    wsgi = sys.modules.get("notify_api.wsgi")
    if wsgi is not None:
        wsgi.close()


child_exit = gunicorn_hooks.child_exit


def on_exit(server) -> None:  # noqa: ANN001 - gunicorn hook signature
    _metrics_dir.remove()
