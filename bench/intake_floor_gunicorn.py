"""gunicorn settings for the intake floor: the API's own numbers (ApiSettings from the same env the API
gets from deploy/api/manifest.yml), with gunicorn's plain gthread worker."""
from __future__ import annotations

import os

from notify_api.config import ApiSettings

_settings = ApiSettings.from_env()

bind = f"127.0.0.1:{os.environ['FLOOR_PORT']}"
worker_class = "gthread"
workers = _settings.gunicorn_workers
threads = _settings.gunicorn_threads
timeout = _settings.gunicorn_timeout_seconds
graceful_timeout = _settings.gunicorn_graceful_timeout_seconds
keepalive = _settings.gunicorn_keepalive_seconds
backlog = _settings.gunicorn_backlog
accesslog = None
errorlog = "-"
control_socket_disable = True
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
