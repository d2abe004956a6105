"""gunicorn settings for the worker tests, shaped like the services' own gunicorn_config.py files."""
from notify_shared import gunicorn_hooks

_metrics_dir = gunicorn_hooks.use_multiprocess_metrics()

import os  # noqa: E402

bind = f"127.0.0.1:{os.environ['TEST_PORT']}"
workers = int(os.environ.get("TEST_WORKERS", "1"))
threads = int(os.environ.get("TEST_THREADS", "4"))
worker_class = os.environ.get("TEST_WORKER_CLASS", gunicorn_hooks.PROBE_FIRST_WORKER)
keepalive = 5
graceful_timeout = 2
control_socket_disable = True
child_exit = gunicorn_hooks.child_exit


def on_exit(server) -> None:  # noqa: ANN001 - gunicorn hook signature
    _metrics_dir.remove()
