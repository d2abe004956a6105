"""What a web service's gunicorn config file needs from shared: the worker class and the metrics hooks.

Import this at the very top of a gunicorn config file, before anything imports prometheus_client:
prometheus_client picks in-memory or multiprocess values when it is first imported, and gunicorn's
worker processes inherit whatever the master chose.

    from notify_shared import gunicorn_hooks
    metrics_dir = gunicorn_hooks.use_multiprocess_metrics()
    (the rest of the service's settings)
    worker_class = gunicorn_hooks.PROBE_FIRST_WORKER
    child_exit = gunicorn_hooks.child_exit
    def on_exit(server): metrics_dir.remove()
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# gunicorn resolves worker classes from a dotted path; the plain "gthread" is the naive fallback.
PROBE_FIRST_WORKER = "notify_shared.gunicorn_worker.ProbeFirstWorker"
PLAIN_THREAD_WORKER = "gthread"


@dataclass(frozen=True)
class MetricsDir:
    path: Path | None
    owned: bool

    def remove(self) -> None:
        """Delete the directory if this master created it (an operator's own directory is left alone)."""
        if self.owned and self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def use_multiprocess_metrics() -> MetricsDir:
    """Point prometheus_client at a directory every worker of this gunicorn master writes its samples to.

    An operator may choose the directory with PROMETHEUS_MULTIPROC_DIR; otherwise a fresh one is made in
    RAM (/dev/shm) where there is one. Files from an earlier run are removed either way: prometheus_client
    requires an empty directory at start, or dead workers' counters would be added in again.
    """
    if "prometheus_client" in sys.modules and not os.environ.get(MULTIPROC_ENV):
        # Too late to switch (a test importing the config, or a config that imports the app): leave this
        # process as it is rather than point a live registry at files it does not write.
        print("notify: prometheus_client was imported before the gunicorn config; /metrics will only "
              "show the worker that answers the scrape", file=sys.stderr)
        return MetricsDir(None, owned=False)
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        return MetricsDir(path, owned=False)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    path = Path(tempfile.mkdtemp(prefix="notify-metrics-", dir=base))
    os.environ[MULTIPROC_ENV] = str(path)
    return MetricsDir(path, owned=True)


def child_exit(server, worker) -> None:  # noqa: ANN001 - gunicorn hook signature
    """A worker died: its live gauges (in-flight requests, checked-out connections) leave the sums."""
    if not os.environ.get(MULTIPROC_ENV):
        return
    from prometheus_client import multiprocess  # noqa: PLC0415 - only after the directory is set

    multiprocess.mark_process_dead(worker.pid)
