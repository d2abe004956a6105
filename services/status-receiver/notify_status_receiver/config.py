"""Status-receiver knobs read once from the environment, on top of the shared Settings."""
from __future__ import annotations

from dataclasses import dataclass

# One config loader for the whole project: reuse its parsers so errors read the same everywhere.
from notify_shared.config import Settings, _bool, _env, _float, _int


def _list(name: str, default: str = "") -> tuple[str, ...]:
    return tuple(item.strip() for item in _env(name, default).split(",") if item.strip())


@dataclass(frozen=True)
class ReceiverConfig:
    # The local deployment is the only one allowed to run without provider authentication.
    development: bool = True

    # SES events arrive through SNS. An empty topic list accepts any topic, in development only.
    ses_sns_topic_arns: tuple[str, ...] = ()
    sns_verify_signatures: bool = False
    # Hosts we will GET a SubscribeURL from; the region's SNS endpoint by default.
    sns_allowed_hosts: tuple[str, ...] = ("sns.eu-west-2.amazonaws.com",)
    sns_http_timeout_seconds: float = 5.0

    # MMG and Firetext post receipts to URLs that embed Basic-auth credentials ("user:password" pairs,
    # several so that a rotation can overlap). Empty: no authentication (local only).
    sms_receipt_basic_auth: tuple[str, ...] = ()
    max_request_bytes: int = 512 * 1024

    # A receipt can arrive before the sender has stored the provider reference: retry a few times.
    receipt_not_found_max_attempts: int = 5
    receipt_retry_delay_seconds: int = 20

    # Notify: 5 s timeout, a first try plus 5 retries, 5xx/429/network errors retried.
    callback_timeout_seconds: float = 5.0
    callback_max_attempts: int = 6
    callback_retry_delay_seconds: int = 30

    @classmethod
    def from_env(cls, settings: Settings) -> ReceiverConfig:
        development = settings.environment == "development"
        region = _env("SNS_REGION", _env("SES_REGION", settings.sqs_region))
        return cls(
            development=development,
            ses_sns_topic_arns=_list("SES_SNS_TOPIC_ARNS"),
            # Off by default only in development, where the provider simulator does not sign.
            sns_verify_signatures=_bool("SNS_VERIFY_SIGNATURES", not development),
            sns_allowed_hosts=_list("SNS_ALLOWED_HOSTS", f"sns.{region}.amazonaws.com"),
            sns_http_timeout_seconds=_float("SNS_HTTP_TIMEOUT_SECONDS", 5.0),
            sms_receipt_basic_auth=_list("SMS_RECEIPT_BASIC_AUTH_CREDENTIALS"),
            max_request_bytes=_int("RECEIPT_MAX_REQUEST_BYTES", 512 * 1024),
            receipt_not_found_max_attempts=_int("RECEIPT_NOT_FOUND_MAX_ATTEMPTS", 5),
            receipt_retry_delay_seconds=_int("RECEIPT_RETRY_DELAY_SECONDS", 20),
            callback_timeout_seconds=_float("CALLBACK_TIMEOUT_SECONDS", 5.0),
            callback_max_attempts=_int("CALLBACK_MAX_ATTEMPTS", 6),
            callback_retry_delay_seconds=_int("CALLBACK_RETRY_DELAY_SECONDS", 30),
        )

    def accepts_any_ses_topic(self) -> bool:
        return not self.ses_sns_topic_arns and self.development
