"""Every error the API returns uses Notify's v2 envelope:
`{"status_code": N, "errors": [{"error": "...", "message": "..."}]}` — never a top-level `message`,
never a stack trace.
"""
from __future__ import annotations

import math

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from notify_shared.db import DB_UNAVAILABLE_ERRORS
from notify_shared.errors import InternalServerError, NotifyError, ServiceUnavailableError
from notify_shared.logging import get_logger

log = get_logger(__name__)


def render(error: NotifyError) -> Response:
    response = jsonify(error.to_body())
    response.status_code = error.status_code
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _http_error(error: HTTPException, *, max_content_length: int) -> NotifyError:
    status = error.code or 500
    if isinstance(error, RequestEntityTooLarge):
        return NotifyError(f"Request body is larger than the limit of {max_content_length} bytes",
                           status_code=413, error="RequestEntityTooLarge")
    message = (error.description or error.name).split(". ")[0].rstrip(".")
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return NotifyError(message, status_code=status, error=error.name.replace(" ", ""), headers=headers)


def register_error_handlers(app: Flask, *, max_content_length: int, db_retry_after_seconds: float) -> None:
    retry_after = max(1, math.ceil(db_retry_after_seconds))

    @app.errorhandler(NotifyError)
    def notify_error(error: NotifyError):
        if error.status_code >= 500:
            log.error("request_failed", status=error.status_code, error=error.error, message=error.message)
        return render(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render(_http_error(error, max_content_length=max_content_length))

    def database_unavailable(error: Exception):
        # Pool exhausted, connection refused, statement or lock timeout: nothing was accepted and a retry
        # may well succeed, so tell the caller when to come back instead of answering 500.
        log.error("database_unavailable", error=type(error).__name__, detail=str(error).splitlines()[0][:200])
        return render(ServiceUnavailableError(retry_after=retry_after))

    for error_class in DB_UNAVAILABLE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled_exception", error=type(error).__name__)
        return render(InternalServerError())
