"""Start-up values for the simulator, read once from the environment."""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.config import _env, _float, _int

DEFAULT_TOPIC_ARN = "arn:aws:sns:eu-west-2:000000000000:notify-ses-receipts"


@dataclass(frozen=True)
class SimulatorSettings:
    port: int = 6013
    host: str = "127.0.0.1"
    # Credentials embedded in this URL (http://user:pass@host) are sent as Basic auth, the way
    # Notify gives MMG and Firetext receipt URLs with credentials in them.
    receipt_base_url: str = "http://127.0.0.1:6012"
    receipt_delay_seconds: float = 0.2
    latency_ms: int = 0
    failure_rate: float = 0.0
    # Receipts are posted by a fixed pool, not a thread per message, so a burst cannot exhaust threads.
    receipt_workers: int = 16
    receipt_max_attempts: int = 4
    receipt_timeout_seconds: float = 5.0
    sns_topic_arn: str = DEFAULT_TOPIC_ARN
    # Requests kept for GET /_messages (oldest dropped first).
    message_log_size: int = 5000
    log_format: str = "console"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls) -> SimulatorSettings:
        failure_rate = _float("SIMULATOR_FAILURE_RATE", 0.0)
        if not 0.0 <= failure_rate <= 1.0:
            raise ValueError(f"SIMULATOR_FAILURE_RATE must be between 0 and 1, got {failure_rate}")
        return cls(
            port=_int("SIMULATOR_PORT", 6013),
            host=_env("SIMULATOR_HOST", "127.0.0.1"),
            receipt_base_url=_env("SIMULATOR_RECEIPT_BASE_URL", "http://127.0.0.1:6012").rstrip("/"),
            receipt_delay_seconds=_float("SIMULATOR_RECEIPT_DELAY_SECONDS", 0.2),
            latency_ms=_int("SIMULATOR_LATENCY_MS", 0),
            failure_rate=failure_rate,
            receipt_workers=_int("SIMULATOR_RECEIPT_WORKERS", 16),
            receipt_max_attempts=_int("SIMULATOR_RECEIPT_MAX_ATTEMPTS", 4),
            receipt_timeout_seconds=_float("SIMULATOR_RECEIPT_TIMEOUT_SECONDS", 5.0),
            sns_topic_arn=_env("SIMULATOR_SNS_TOPIC_ARN", DEFAULT_TOPIC_ARN),
            message_log_size=_int("SIMULATOR_MESSAGE_LOG_SIZE", 5000),
            log_format=_env("LOG_FORMAT", "console"),
            log_level=_env("LOG_LEVEL", "INFO"),
        )
