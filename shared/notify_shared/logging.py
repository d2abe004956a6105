"""structlog setup: JSON in deployments, key=value locally; ids bound per request or message."""
from __future__ import annotations

import json
import logging
import sys
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


def configure_logging(service: str, fmt: str = "console", level: str = "INFO", *, stream: TextIO | None = None) -> None:
    """Log lines go to stdout unless `stream` says otherwise (a CLI keeps stdout for its own output)."""
    stream = stream or sys.stdout
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
        # One write per line (PrintLogger writes the newline separately), so lines from a service's worker
        # processes sharing one stdout never run into each other.
        logger_factory=structlog.WriteLoggerFactory(file=stream),
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
