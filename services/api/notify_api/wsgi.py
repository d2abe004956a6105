"""The WSGI entry point gunicorn serves: `notify_api.wsgi:application`.

Outermost first: health probes (answered before anything else, so liveness never runs request hooks,
authentication or a database session; under the ProbeFirstWorker liveness does not even wait for a
thread), then the load shedder's bulkheads, then Flask.
"""
from __future__ import annotations

import gc

from notify_shared.health import HealthMiddleware
from notify_shared.shedding import LoadShedder

from .app import create_app
from .context import EXTENSION_NAME

# Listing pages read many rows and can be slow; they get a bulkhead of their own so they cannot take
# every database connection from intake.
SLOW_READ_PATHS = frozenset({"/v2/notifications", "/v2/received-text-messages"})


def is_slow_read(environ: dict) -> bool:
    return environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").rstrip("/") in SLOW_READ_PATHS


app = create_app()
_context = app.extensions[EXTENSION_NAME]
_settings = _context.settings
_served = app
if _settings.shed_load:
    _served = LoadShedder(app, max_in_flight=_settings.max_in_flight, max_slow_reads=_settings.max_slow_reads,
                          is_slow_read=is_slow_read)
application = HealthMiddleware(_served, _context.health)

# What the worker built at start-up lives as long as it does: take it out of the cyclic collector's reach,
# so a full collection scans only what requests allocate. Otherwise one ran every ~100 listing pages (each
# allocates thousands of containers) and walked ~130,000 start-up objects: a 100+ ms pause, the listing p99.
gc.freeze()


def close() -> None:
    """Release the pool and the bus connection when a worker exits."""
    app.extensions[EXTENSION_NAME].close()
