"""The scheduler's own knobs, read once from the environment (shared knobs live in notify_shared.config)."""
from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notify_shared.config import _env, _float, _int
from notify_shared.letters.collation import DEFAULT_LETTER_COLLATION_TIME, CollationTime

# GOV.UK Notify replays `created` rows older than an hour every 15 minutes (replay-created-notifications).
DEFAULT_REPLAY_CREATED_AFTER_SECONDS = 3600
MAX_REPLAY_INTERVAL_SECONDS = 900
# Notify's SENDING_NOTIFICATIONS_TIMEOUT_PERIOD: 72 hours.
DEFAULT_SENDING_TIMEOUT_SECONDS = 72 * 3600
# Well above the sender's provider timeout (10 s) and its longest retry delay (5 min): a claim this
# old belongs to a sender that died, not to one still waiting on a provider.
DEFAULT_STALE_CLAIM_SECONDS = 15 * 60


def parse_resting_priorities(raw: str) -> dict[str, int]:
    """`mmg=60,firetext=40` -> {"mmg": 60, "firetext": 40}."""
    priorities: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"SMS_PROVIDER_RESTING_PRIORITIES entries look like name=priority, got {part!r}")
        try:
            priorities[name.strip()] = int(value)
        except ValueError as exc:
            raise ValueError(f"SMS_PROVIDER_RESTING_PRIORITIES: {part!r} has no integer priority") from exc
    return priorities


@dataclass(frozen=True)
class SchedulerConfig:
    tick_seconds: float = 5.0
    replay_created_after_seconds: int = DEFAULT_REPLAY_CREATED_AFTER_SECONDS
    replay_interval_seconds: int = MAX_REPLAY_INTERVAL_SECONDS
    replay_batch_size: int = 500
    lock_key: int = 0x6E6F74696679  # "notify" as a bigint: one leader per database

    sending_timeout_seconds: int = DEFAULT_SENDING_TIMEOUT_SECONDS
    timeout_batch_size: int = 1000

    stale_claim_seconds: int = DEFAULT_STALE_CLAIM_SECONDS
    stale_claim_max_recoveries: int = 3
    stale_claim_batch_size: int = 500

    # Days are counted in this zone, as Notify counts them in London (retention cut-offs, daily facts).
    reporting_timezone: str = "Europe/London"
    default_retention_days: int = 7
    retention_batch_size: int = 10_000
    # Pause between retention batches; 0 lets deletion run flat out (the benchmark shows intake p99 holds).
    retention_batch_pause_seconds: float = 0.0
    status_counts_days: int = 2  # yesterday and today

    # Live letters created before this daily cut-off go to the print provider at it (the sender reads it too).
    letter_collation_time: str = DEFAULT_LETTER_COLLATION_TIME

    sms_slow_window_seconds: int = 600
    sms_slow_after_seconds: int = 300
    sms_slow_threshold: float = 0.3
    sms_slow_min_notifications: int = 1
    sms_slow_cooldown_seconds: int = 600
    sms_drift_delay_seconds: int = 3600
    sms_priority_step: int = 10
    sms_resting_priorities: dict[str, int] = field(default_factory=dict)  # empty: an even split

    @classmethod
    def from_env(cls) -> SchedulerConfig:
        after = _int("REPLAY_CREATED_AFTER_SECONDS", DEFAULT_REPLAY_CREATED_AFTER_SECONDS)
        config = cls(
            tick_seconds=_float("SCHEDULER_TICK_SECONDS", 5.0),
            replay_created_after_seconds=after,
            replay_interval_seconds=_int("REPLAY_INTERVAL_SECONDS", default_replay_interval(after)),
            replay_batch_size=_int("REPLAY_BATCH_SIZE", 500),
            lock_key=_int("SCHEDULER_LOCK_KEY", cls.lock_key),
            sending_timeout_seconds=_int("SENDING_TIMEOUT_SECONDS", DEFAULT_SENDING_TIMEOUT_SECONDS),
            timeout_batch_size=_int("TIMEOUT_BATCH_SIZE", 1000),
            stale_claim_seconds=_int("STALE_CLAIM_SECONDS", DEFAULT_STALE_CLAIM_SECONDS),
            stale_claim_max_recoveries=_int("STALE_CLAIM_MAX_RECOVERIES", 3),
            stale_claim_batch_size=_int("STALE_CLAIM_BATCH_SIZE", 500),
            reporting_timezone=_env("REPORTING_TIMEZONE", "Europe/London"),
            default_retention_days=_int("DEFAULT_RETENTION_DAYS", 7),
            retention_batch_size=_int("RETENTION_BATCH_SIZE", 10_000),
            retention_batch_pause_seconds=_float("RETENTION_BATCH_PAUSE_SECONDS", 0.0),
            status_counts_days=_int("STATUS_COUNTS_DAYS", 2),
            letter_collation_time=_env("LETTER_COLLATION_TIME", DEFAULT_LETTER_COLLATION_TIME),
            sms_slow_window_seconds=_int("SMS_SLOW_DELIVERY_WINDOW_SECONDS", 600),
            sms_slow_after_seconds=_int("SMS_SLOW_DELIVERY_AFTER_SECONDS", 300),
            sms_slow_threshold=_float("SMS_SLOW_DELIVERY_THRESHOLD", 0.3),
            sms_slow_min_notifications=_int("SMS_SLOW_DELIVERY_MIN_NOTIFICATIONS", 1),
            sms_slow_cooldown_seconds=_int("SMS_SLOW_DELIVERY_COOLDOWN_SECONDS", 600),
            sms_drift_delay_seconds=_int("SMS_PROVIDER_DRIFT_DELAY_SECONDS", 3600),
            sms_resting_priorities=parse_resting_priorities(_env("SMS_PROVIDER_RESTING_PRIORITIES", "")),
        )
        config.validate()
        return config

    def validate(self) -> None:
        positive = {
            "SCHEDULER_TICK_SECONDS": self.tick_seconds,
            "REPLAY_CREATED_AFTER_SECONDS": self.replay_created_after_seconds,
            "REPLAY_INTERVAL_SECONDS": self.replay_interval_seconds,
            "REPLAY_BATCH_SIZE": self.replay_batch_size,
            "SENDING_TIMEOUT_SECONDS": self.sending_timeout_seconds,
            "TIMEOUT_BATCH_SIZE": self.timeout_batch_size,
            "STALE_CLAIM_SECONDS": self.stale_claim_seconds,
            "STALE_CLAIM_BATCH_SIZE": self.stale_claim_batch_size,
            "DEFAULT_RETENTION_DAYS": self.default_retention_days,
            "RETENTION_BATCH_SIZE": self.retention_batch_size,
            "STATUS_COUNTS_DAYS": self.status_counts_days,
            "SMS_SLOW_DELIVERY_WINDOW_SECONDS": self.sms_slow_window_seconds,
            "SMS_SLOW_DELIVERY_AFTER_SECONDS": self.sms_slow_after_seconds,
            "SMS_SLOW_DELIVERY_MIN_NOTIFICATIONS": self.sms_slow_min_notifications,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive")
        if self.stale_claim_max_recoveries < 0:
            raise ValueError("STALE_CLAIM_MAX_RECOVERIES must be 0 or more")
        if self.retention_batch_pause_seconds < 0:
            raise ValueError("RETENTION_BATCH_PAUSE_SECONDS must be 0 or more")
        if not 0 < self.sms_slow_threshold <= 1:
            raise ValueError("SMS_SLOW_DELIVERY_THRESHOLD is a share: 0 < threshold <= 1")
        if self.sms_slow_cooldown_seconds < 0 or self.sms_drift_delay_seconds < 0:
            raise ValueError("SMS provider cool-downs must be 0 or more")
        try:
            ZoneInfo(self.reporting_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"REPORTING_TIMEZONE {self.reporting_timezone!r} is not a known time zone") from exc
        CollationTime.parse(self.letter_collation_time)
        if self.sms_resting_priorities:
            if len(self.sms_resting_priorities) != 2 or sum(self.sms_resting_priorities.values()) != 100:
                raise ValueError("SMS_PROVIDER_RESTING_PRIORITIES names the two SMS providers, summing to 100")
            if any(not 10 <= p <= 90 for p in self.sms_resting_priorities.values()):
                raise ValueError("SMS_PROVIDER_RESTING_PRIORITIES must each be between 10 and 90")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.reporting_timezone)

    @property
    def collation(self) -> CollationTime:
        return CollationTime.parse(self.letter_collation_time)


def default_replay_interval(replay_after_seconds: int) -> int:
    """Scan four times per threshold, as Notify does (hourly threshold, every 15 minutes).

    Each scan re-publishes every row still stuck, so scanning more often than this only multiplies
    duplicate messages while senders are down; scanning less often delays recovery.
    """
    return max(1, min(MAX_REPLAY_INTERVAL_SECONDS, replay_after_seconds // 4))
