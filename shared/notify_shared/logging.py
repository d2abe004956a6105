"""structlog setup: JSON in deployments, key=value locally; ids bound per request or message."""
from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

_SECRET_KEYS = {"api_key", "secret", "token", "bearer_token", "password", "authorization", "secret_key"}


def _drop_secrets(_logger, _name, event_dict: dict) -> dict:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "***"
    return event_dict


def configure_logging(service: str, fmt: str = "console", level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Log lines go to stdout unless `stream` says otherwise (a CLI keeps stdout for its own output)."""
    stream = stream or sys.stdout
    renderer = (
        structlog.processors.JSONRenderer()
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
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Library loggers (gunicorn, kombu, botocore) go through the stdlib at WARNING and above.
    logging.basicConfig(level=logging.WARNING, stream=stream,
                        format=f"service={service} logger=%(name)s level=%(levelname)s event=%(message)r")


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


bind = structlog.contextvars.bind_contextvars
unbind = structlog.contextvars.unbind_contextvars
clear = structlog.contextvars.clear_contextvars
bound = structlog.contextvars.bound_contextvars
