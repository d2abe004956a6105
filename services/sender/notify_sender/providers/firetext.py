"""Firetext: form POST, answer must be JSON with "code": 0 (Notify's app/clients/sms/firetext.py).

International messages use a separate API key; `to` has no "+"; `reference` is our notification id,
echoed back on the receipt.
"""
from __future__ import annotations

from .base import RetryableProviderError, SmsProvider, SmsRequest
from .http import HttpProviderClient


class FiretextClient(SmsProvider):
    name = "firetext"

    def __init__(self, url: str, api_key: str, international_api_key: str, timeout_seconds: float,
                 max_connections: int = 10):
        self.url = url
        self.api_key = api_key
        self.international_api_key = international_api_key
        self.http = HttpProviderClient(self.name, timeout_seconds, max_connections)

    def send_sms(self, sms: SmsRequest) -> str:
        form = {
            "apiKey": self.international_api_key if sms.international else self.api_key,
            "from": sms.sender,
            "to": sms.to.replace("+", ""),
            "message": sms.content,
            "reference": sms.notification_id,
        }
        answer = self.http.json(self.http.post_form(self.url, form))
        if answer.get("code") != 0:
            # Notify retries every non-zero code (bad key, no credit, gateway problems).
            raise RetryableProviderError(self.name, f"code {answer.get('code')!r}: {answer.get('description')!r}")
        return sms.notification_id
