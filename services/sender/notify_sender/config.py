"""Sender knobs read once from the environment, on top of the shared Settings."""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared import queues
from notify_shared.config import _env, _float, _int
from notify_shared.letters.collation import DEFAULT_LETTER_COLLATION_TIME, CollationTime

DEFAULT_QUEUES = f"{queues.SEND_SMS},{queues.SEND_EMAIL},{queues.SEND_LETTER},{queues.RESEARCH_MODE}"


@dataclass(frozen=True)
class SenderConfig:
    queues: tuple[str, ...] = (queues.SEND_SMS, queues.SEND_EMAIL, queues.SEND_LETTER, queues.RESEARCH_MODE)
    # Sends in flight at once. Provider calls are I/O bound (100 ms to seconds), so threads are enough.
    # In flight = rate x time per send, and a send takes longer than its provider call (claim, result,
    # waiting for the GIL among many threads): 128 hand 300+ texts a second to a 100 ms provider
    # (bench/sender.py). Claims and results of all sends go through one batching writer, so the
    # database pool stays small whatever this is (batching.py).
    concurrency: int = 128
    # Consume loops (bus connections) per queue, each holding its share of the sends in flight: one loop
    # receiving and acking every message became the bottleneck. 0 = one per 32 sends in flight.
    consumers_per_queue: int = 0
    email_domain: str = "notify.localhost"

    mmg_url: str = "https://api.mmg.co.uk/jsonv2a/api.php"
    mmg_api_key: str = ""
    firetext_url: str = "https://www.firetext.co.uk/api/sendsms/json"
    firetext_api_key: str = ""
    firetext_international_api_key: str = ""
    ses_endpoint_url: str = ""  # empty: the real AWS endpoint for ses_region
    ses_region: str = "eu-west-2"
    ses_access_key_id: str = ""
    ses_secret_access_key: str = ""
    # Test keys, research mode and simulated recipients go here and nowhere else.
    simulator_url: str = "http://127.0.0.1:6013"
    # Letters: the print provider (DVLA-style API) and the daily cut-off live letters wait for.
    print_provider_url: str = "http://127.0.0.1:6013"
    letter_collation: CollationTime = CollationTime.parse(DEFAULT_LETTER_COLLATION_TIME)

    # Notify uses 10 s for SMS providers; a provider slower than that is treated as failing.
    provider_timeout_seconds: float = 10.0
    # First retry after this delay, doubling up to the cap (kept below the SQS visibility timeout,
    # Notify PR #4228). Notify retries for 4 h (48 x 5 min) before technical-failure.
    send_retry_delay_seconds: float = 10.0
    send_retry_max_delay_seconds: float = 300.0
    send_retry_budget_seconds: float = 4 * 3600.0
    # Hand-over facts the database could not take are re-published with this delay (deferred_records.py).
    record_retry_delay_seconds: int = 30
    provider_cache_seconds: float = 10.0

    # Error-burst re-weighting of SMS providers (error_bursts.py): Notify moves 10 points after 50 errors
    # in a minute (PR #4257), at most once a minute.
    sms_provider_error_threshold: int = 50
    sms_provider_error_step: int = 10
    sms_provider_error_cooldown_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> SenderConfig:
        return cls(
            queues=tuple(q.strip() for q in _env("SENDER_QUEUES", DEFAULT_QUEUES).split(",") if q.strip()),
            concurrency=max(1, _int("SENDER_CONCURRENCY", 128)),
            consumers_per_queue=max(0, _int("SENDER_CONSUMERS_PER_QUEUE", 0)),
            email_domain=_env("EMAIL_DOMAIN", "notify.localhost"),
            mmg_url=_env("MMG_URL", "https://api.mmg.co.uk/jsonv2a/api.php"),
            mmg_api_key=_env("MMG_API_KEY", ""),
            firetext_url=_env("FIRETEXT_URL", "https://www.firetext.co.uk/api/sendsms/json"),
            firetext_api_key=_env("FIRETEXT_API_KEY", ""),
            firetext_international_api_key=_env("FIRETEXT_INTERNATIONAL_API_KEY", ""),
            ses_endpoint_url=_env("SES_ENDPOINT_URL", ""),
            ses_region=_env("SES_REGION", "eu-west-2"),
            ses_access_key_id=_env("SES_ACCESS_KEY_ID", ""),
            ses_secret_access_key=_env("SES_SECRET_ACCESS_KEY", ""),
            simulator_url=_env("SIMULATOR_URL", "http://127.0.0.1:6013").rstrip("/"),
            print_provider_url=_env("PRINT_PROVIDER_URL", "http://127.0.0.1:6013").rstrip("/"),
            letter_collation=CollationTime.parse(_env("LETTER_COLLATION_TIME", DEFAULT_LETTER_COLLATION_TIME)),
            provider_timeout_seconds=_float("PROVIDER_TIMEOUT_SECONDS", 10.0),
            send_retry_delay_seconds=_float("SEND_RETRY_DELAY_SECONDS", 10.0),
            send_retry_max_delay_seconds=_float("SEND_RETRY_MAX_DELAY_SECONDS", 300.0),
            send_retry_budget_seconds=_float("SEND_RETRY_BUDGET_SECONDS", 4 * 3600.0),
            record_retry_delay_seconds=max(0, _int("SEND_RECORD_RETRY_DELAY_SECONDS", 30)),
            provider_cache_seconds=_float("PROVIDER_CACHE_SECONDS", 10.0),
            sms_provider_error_threshold=max(1, _int("SMS_PROVIDER_ERROR_THRESHOLD", 50)),
            sms_provider_error_step=max(1, _int("SMS_PROVIDER_ERROR_STEP", 10)),
            sms_provider_error_cooldown_seconds=max(0.0, _float("SMS_PROVIDER_ERROR_COOLDOWN_SECONDS", 60.0)),
        )

    @property
    def consume_loops_per_queue(self) -> int:
        return self.consumers_per_queue or max(1, -(-self.concurrency // 32))

    def redacted(self) -> dict[str, object]:
        """Safe to log: API keys and AWS secrets masked."""
        secret_fields = {"mmg_api_key", "firetext_api_key", "firetext_international_api_key", "ses_secret_access_key"}
        return {name: ("***" if name in secret_fields and value else value) for name, value in self.__dict__.items()}
