"""Prometheus metrics every process shares, and the `/metrics` text (DESIGN §8).

One scrape must describe the whole process group. A gunicorn app runs several worker processes behind
one port and a scrape reaches whichever worker accepts it, so web processes run prometheus_client in
multiprocess mode (`notify_shared.gunicorn_hooks.use_multiprocess_metrics`): each worker writes its
samples to files in PROMETHEUS_MULTIPROC_DIR and any worker renders the sum. Worker processes (one
Python process each) use the ordinary in-memory registry.

Gauges say how they combine across gunicorn workers: `livesum` adds up the live workers' values
(connections checked out, requests in flight); a dead worker's share disappears with it.
"""
from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Health probes, by probe and by who answered: the gunicorn worker's event loop or a request thread.
PROBE_LATENCY = Histogram(
    "notify_probe_seconds", "Health probe latency inside the process", ["probe", "via"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
HEARTBEAT_AGE = Gauge("notify_worker_heartbeat_age_seconds", "Seconds since the consume loop last beat",
                      multiprocess_mode="max")

# Load shedding (notify_shared.shedding).
IN_FLIGHT = Gauge("notify_http_in_flight_requests", "Requests inside the app, by bulkhead", ["bulkhead"],
                  multiprocess_mode="livesum")
SHED = Counter("notify_http_shed_requests_total", "Requests answered 503 without entering the app, by bulkhead",
               ["bulkhead"])

# The database pool (notify_shared.db), labelled with the pool's application_name.
DB_POOL_CHECKED_OUT = Gauge("notify_db_pool_checked_out_connections", "Connections checked out of the pool",
                            ["pool"], multiprocess_mode="livesum")
DB_POOL_WAIT = Histogram(
    "notify_db_pool_wait_seconds", "Time to get a connection from the pool (waiting or connecting)", ["pool"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
DB_POOL_TIMEOUTS = Counter("notify_db_pool_timeouts_total", "Checkouts that gave up after the pool timeout", ["pool"])

# The bus (notify_shared.bus), by full queue name.
BUS_PUBLISHED = Counter("notify_bus_published_total", "Messages published", ["queue", "outcome"])
BUS_CONSUMED = Counter("notify_bus_consumed_total", "Messages taken off a queue, by what became of them",
                       ["queue", "outcome"])

# How long requests (probes included) waited, after arriving, for a gunicorn worker's event loop to read
# them: the early sign of a worker starved of CPU or of the GIL (notify_shared.gunicorn_worker).
EVENT_LOOP_LAG = Histogram(
    "notify_event_loop_lag_seconds", "From a request's arrival to the worker's event loop reading it", ["kind"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

# The request threads of a gunicorn worker (notify_shared.gunicorn_worker).
REQUEST_THREADS_IDLE_FOR = Gauge(
    "notify_request_threads_stalled_seconds",
    "Seconds since a request finished while requests were waiting for the thread pool (0 when idle)",
    multiprocess_mode="livemax",
)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def render() -> tuple[bytes, str]:
    """The Prometheus text for this process, or for every worker of its gunicorn group."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
