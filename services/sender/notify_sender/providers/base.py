"""The interface every provider client implements, and the two ways a send can fail.

A client only talks to its provider: it holds no database session and knows nothing of retries.
The caller decides what a failure means for the notification.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import requests


class ProviderError(Exception):
    def __init__(self, provider: str, message: str):
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class RetryableProviderError(ProviderError):
    """May work later or at another provider: network errors, timeouts, 5xx, throttling."""


class PermanentProviderError(ProviderError):
    """Will never work for this message (the provider rejected the request itself)."""


@dataclass(frozen=True)
class SmsRequest:
    notification_id: str
    to: str  # international format without "+", e.g. 447700900123
    content: str
    sender: str
    international: bool


@dataclass(frozen=True)
class EmailRequest:
    notification_id: str
    from_address: str
    to: str
    subject: str
    text_body: str
    html_body: str
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class SmsProvider(ABC):
    name: str

    @abstractmethod
    def send_sms(self, sms: SmsRequest) -> str:
        """Hand the message over; return the provider's own reference. Raise a ProviderError subclass."""


class EmailProvider(ABC):
    name: str

    @abstractmethod
    def send_email(self, email: EmailRequest) -> str:
        """Hand the message over; return the provider's message id. Raise a ProviderError subclass."""


# 408 and 429 are "try again later"; other 4xx mean the provider refused this request as written.
RETRYABLE_4XX = {408, 425, 429}


class HttpProviderClient:
    """requests plumbing shared by the HTTP SMS providers: one session per thread, errors classified."""

    def __init__(self, name: str, timeout_seconds: float):
        self.name = name
        # Connect quickly or not at all; the read timeout bounds a slow provider.
        self.timeout = (min(3.0, timeout_seconds), timeout_seconds)
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # requests.Session is not documented as thread-safe; a session per worker thread keeps
        # connection reuse without sharing one between threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def post(self, url: str, **kwargs) -> requests.Response:
        try:
            response = self._session().post(url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise RetryableProviderError(self.name, f"request failed: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
            raise RetryableProviderError(self.name, f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentProviderError(self.name, f"HTTP {response.status_code}")
        return response

    def json(self, response: requests.Response) -> dict:
        try:
            body = response.json()
        except ValueError as exc:
            raise RetryableProviderError(self.name, "invalid response JSON") from exc
        if not isinstance(body, dict):
            raise RetryableProviderError(self.name, "invalid response JSON")
        return body
