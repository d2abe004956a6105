"""AWS SES v2 `SendEmail` through boto3, aimed at SES_ENDPOINT_URL (the simulator locally).

Error handling follows Notify's app/clients/email/aws_ses.py: an invalid request is never retried,
throttling and everything else are. botocore's own retries are off: retries are ours, with delays.
"""
from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .base import EmailProvider, EmailRequest, PermanentProviderError, RetryableProviderError

# SES v2 answers a bad request with BadRequestException; v1 and Notify's check use InvalidParameterValue;
# MessageRejected means the content itself was refused.
PERMANENT_ERROR_CODES = {"BadRequestException", "InvalidParameterValue", "MessageRejected"}
NOTIFICATION_ID_TAG = "notification_id"


class SesClient(EmailProvider):
    name = "ses"

    def __init__(self, *, region: str, endpoint_url: str | None, access_key_id: str | None,
                 secret_access_key: str | None, timeout_seconds: float, max_connections: int):
        config = Config(
            connect_timeout=min(3.0, timeout_seconds),
            read_timeout=timeout_seconds,
            retries={"max_attempts": 1, "mode": "standard"},
            max_pool_connections=max(10, max_connections),
        )
        # A boto3 client is thread-safe; one per process shares its connection pool across threads.
        self._client = boto3.client(
            "sesv2", region_name=region, endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
            config=config,
        )

    def send_email(self, email: EmailRequest) -> str:
        simple = {
            "Subject": {"Data": email.subject},
            "Body": {"Text": {"Data": email.text_body}, "Html": {"Data": email.html_body}},
        }
        if email.headers:
            simple["Headers"] = [{"Name": name, "Value": value} for name, value in email.headers]
        try:
            response = self._client.send_email(
                FromEmailAddress=email.from_address,
                Destination={"ToAddresses": [email.to], "CcAddresses": [], "BccAddresses": []},
                ReplyToAddresses=[email.reply_to] if email.reply_to else [],
                Content={"Simple": simple},
                # Traceability in SES event publishing (and per-notification counts in the simulator).
                EmailTags=[{"Name": NOTIFICATION_ID_TAG, "Value": email.notification_id}],
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_ERROR_CODES:
                raise PermanentProviderError(self.name, f"{code}") from exc
            raise RetryableProviderError(self.name, f"{code or 'ClientError'}") from exc
        except BotoCoreError as exc:
            raise RetryableProviderError(self.name, type(exc).__name__) from exc
        return str(response["MessageId"])
