"""The WSGI entry point gunicorn serves: `notify_api.wsgi:application`.

Health probes are answered by the middleware before Flask sees the request, so liveness never runs
request hooks, authentication or a database session.
"""
from __future__ import annotations

from notify_shared.health import HealthMiddleware

from .app import create_app
from .context import EXTENSION_NAME

app = create_app()
application = HealthMiddleware(app, app.extensions[EXTENSION_NAME].health)


def close() -> None:
    """Release the pool and the bus connection when a worker exits."""
    app.extensions[EXTENSION_NAME].close()
