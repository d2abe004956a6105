"""A real worker process whose handler never returns, so its consume loop stops beating.

Started by test_worker_watchdog.py as `python stalling_worker.py <queue>`, with the environment a
manifest would give it (HEALTH_PORT, HEARTBEAT_STALE_SECONDS, DATABASE_URL, BROKER_URL, ...).
"""
from __future__ import annotations

import sys
import threading

from notify_shared.envelope import Envelope
from notify_shared.worker import WorkerProcess


def wedge(envelope: Envelope) -> None:
    threading.Event().wait()  # as a handler stuck on a call with no timeout would


if __name__ == "__main__":
    WorkerProcess("stalling-worker").run_consumer([sys.argv[1]], wedge)
