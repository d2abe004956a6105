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

    # Inbound texts always need Basic auth (Notify: 401 without, 403 wrong). "user:password" pairs per
    # provider; INBOUND_SMS_AUTH_CREDENTIALS serves both when a provider has no list of its own.
    mmg_inbound_auth: tuple[str, ...] = ()
    firetext_inbound_auth: tuple[str, ...] = ()

    # The receipts worker applies up to this many receipts in one transaction, waiting at most
    # receipt_batch_wait_seconds for a batch to fill once its first receipt has arrived.
    receipt_batch_size: int = 200
    receipt_batch_wait_seconds: float = 0.05

    # A receipt can arrive before the sender has stored the provider reference: retry a few times.
    receipt_not_found_max_attempts: int = 5
    receipt_retry_delay_seconds: int = 20

    # Notify: 5 s timeout, a first try plus 5 retries, 5xx/429/network errors retried.
    callback_timeout_seconds: float = 5.0
    callback_max_attempts: int = 6
    callback_retry_delay_seconds: int = 30
    # Callbacks in flight per worker, and per service: a slow service uses at most its share and
    # its further callbacks wait on the queue (re-published after callback_busy_delay_seconds).
    callback_concurrency: int = 8
    callback_concurrency_per_service: int = 2
    callback_busy_delay_seconds: int = 2

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
            mmg_inbound_auth=_list("MMG_INBOUND_SMS_AUTH_CREDENTIALS") or _list("INBOUND_SMS_AUTH_CREDENTIALS"),
            firetext_inbound_auth=(_list("FIRETEXT_INBOUND_SMS_AUTH_CREDENTIALS")
                                   or _list("INBOUND_SMS_AUTH_CREDENTIALS")),
            receipt_batch_size=max(1, _int("RECEIPT_BATCH_SIZE", 200)),
            receipt_batch_wait_seconds=max(0.0, _int("RECEIPT_BATCH_WAIT_MS", 50) / 1000),
            receipt_not_found_max_attempts=_int("RECEIPT_NOT_FOUND_MAX_ATTEMPTS", 5),
            receipt_retry_delay_seconds=_int("RECEIPT_RETRY_DELAY_SECONDS", 20),
            callback_timeout_seconds=_float("CALLBACK_TIMEOUT_SECONDS", 5.0),
            callback_max_attempts=_int("CALLBACK_MAX_ATTEMPTS", 6),
            callback_retry_delay_seconds=_int("CALLBACK_RETRY_DELAY_SECONDS", 30),
            callback_concurrency=max(1, _int("CALLBACK_CONCURRENCY", 8)),
            callback_concurrency_per_service=max(1, _int("CALLBACK_CONCURRENCY_PER_SERVICE", 2)),
            callback_busy_delay_seconds=max(1, _int("CALLBACK_BUSY_DELAY_SECONDS", 2)),
        )

    def accepts_any_ses_topic(self) -> bool:
        return not self.ses_sns_topic_arns and self.development
