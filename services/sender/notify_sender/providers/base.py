"""The interface every provider client implements, and the two ways a send can fail.

A client only talks to its provider: it holds no database session and knows nothing of retries.
The caller decides what a failure means for the notification.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


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
