"""One error hierarchy that renders as Notify's v2 envelope:
`{"status_code": N, "errors": [{"error": "Type", "message": "..."}]}` (never a top-level `message`).
"""
from __future__ import annotations

from typing import Any


class NotifyError(Exception):
    status_code = 400
    error = "BadRequestError"

    def __init__(self, message: str, *, status_code: int | None = None, error: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if error is not None:
            self.error = error
        self.headers = headers or {}

    def errors(self) -> list[dict[str, Any]]:
        return [{"error": self.error, "message": self.message}]

    def to_body(self) -> dict[str, Any]:
        return {"status_code": self.status_code, "errors": self.errors()}


class BadRequestError(NotifyError):
    pass


class ValidationError(NotifyError):
    error = "ValidationError"

    def __init__(self, messages: list[str] | str):
        messages = [messages] if isinstance(messages, str) else messages
        super().__init__("; ".join(messages))
        self.messages = messages

    def errors(self) -> list[dict[str, Any]]:
        return [{"error": self.error, "message": m} for m in self.messages]


class AuthError(NotifyError):
    error = "AuthError"

    def __init__(self, message: str, status_code: int = 403):
        super().__init__(message, status_code=status_code)


class NoResultFound(NotifyError):
    status_code = 404
    error = "NoResultFound"

    def __init__(self, message: str = "No result found"):
        super().__init__(message)


class RateLimitError(NotifyError):
    status_code = 429
    error = "RateLimitError"


class TooManyRequestsError(NotifyError):
    status_code = 429
    error = "TooManyRequestsError"


class ServiceUnavailableError(NotifyError):
    """Overload or a database that cannot be reached: retry later, nothing was accepted."""

    status_code = 503
    error = "ServiceUnavailableError"

    def __init__(self, message: str = "Service temporarily unavailable, try again later", retry_after: int = 1):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class MethodNotAllowed(NotifyError):
    status_code = 405
    error = "MethodNotAllowed"


class InternalServerError(NotifyError):
    status_code = 500
    error = "Exception"

    def __init__(self, message: str = "Internal server error"):
        super().__init__(message)
