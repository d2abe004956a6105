"""MMG: JSON POST with the raw API key as Basic credentials, as Notify's app/clients/sms/mmg.py sends it.

The `cid` is our notification id: MMG echoes it back as `CID` on the receipt, and Notify stores the
notification id (not MMG's reference) as the provider reference for SMS.
"""
from __future__ import annotations

from .base import RetryableProviderError, SmsProvider, SmsRequest
from .http import HttpProviderClient


class MmgClient(SmsProvider):
    name = "mmg"

    def __init__(self, url: str, api_key: str, timeout_seconds: float, max_connections: int = 10):
        self.url = url
        self.api_key = api_key
        self.http = HttpProviderClient(self.name, timeout_seconds, max_connections)

    def send_sms(self, sms: SmsRequest) -> str:
        body = {"reqType": "BULK", "MSISDN": sms.to, "msg": sms.content, "sender": sms.sender,
                "cid": sms.notification_id, "multi": True}
        answer = self.http.json(self.http.post_json(self.url, body, {"Authorization": f"Basic {self.api_key}"}))
        reference = answer.get("Reference")
        if reference is None:
            raise RetryableProviderError(self.name, "response has no Reference")
        return str(reference)
