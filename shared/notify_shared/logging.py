"""structlog setup: JSON in deployments, key=value locally; ids bound per request or message."""
from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any, TextIO

import orjson
import structlog

_SECRET_KEYS = {"api_key", "secret", "token", "bearer_token", "password", "authorization", "secret_key"}


def _drop_secrets(_logger, _name, event_dict: dict) -> dict:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "***"
    return event_dict


def _orjson_text(event_dict: dict, **options: Any) -> str:
    # orjson renders a line in about a third of the json module's time; every request writes at least one.
    try:
        return orjson.dumps(event_dict, default=options.get("default")).decode()
    except orjson.JSONEncodeError:  # what orjson refuses (a non-string key, a huge int) the json module takes
        return json.dumps(event_dict, **options)


_WRITE_LOCK = threading.Lock()


class _LineWriter:
    """A structlog logger that writes each line with its newline in one `write`.

    structlog's PrintLogger writes the newline separately, so lines from a service's worker processes
    sharing one stdout ran into each other. Without a stream of its own it writes to whatever `sys.stdout`
    is at the time (as PrintLogger does), so output captured by a test or redirected later is followed.
    """

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream

    def msg(self, message: str) -> None:
        stream = self._stream or sys.stdout
        with _WRITE_LOCK:
            stream.write(message + "\n")
            stream.flush()

    log = debug = info = warn = warning = error = critical = exception = fatal = failure = err = msg


def configure_logging(service: str, fmt: str = "console", level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Log lines go to stdout unless `stream` says otherwise (a CLI keeps stdout for its own output)."""
    renderer = (
        structlog.processors.JSONRenderer(serializer=_orjson_text)
        if fmt == "json"
        else structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"], drop_missing=True)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=lambda *_args: _LineWriter(stream),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Library loggers (gunicorn, kombu, botocore) go through the stdlib at WARNING and above.
    logging.basicConfig(level=logging.WARNING, stream=stream or sys.stdout,
                        format=f"service={service} logger=%(name)s level=%(levelname)s event=%(message)r")


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


bind = structlog.contextvars.bind_contextvars
unbind = structlog.contextvars.unbind_contextvars
clear = structlog.contextvars.clear_contextvars
bound = structlog.contextvars.bound_contextvars
