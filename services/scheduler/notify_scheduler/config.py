"""The scheduler's own knobs, read once from the environment (shared knobs live in notify_shared.config)."""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.config import _float, _int

# GOV.UK Notify replays `created` rows older than an hour every 15 minutes (replay-created-notifications).
DEFAULT_REPLAY_CREATED_AFTER_SECONDS = 3600
MAX_REPLAY_INTERVAL_SECONDS = 900


@dataclass(frozen=True)
class SchedulerConfig:
    tick_seconds: float = 5.0
    replay_created_after_seconds: int = DEFAULT_REPLAY_CREATED_AFTER_SECONDS
    replay_interval_seconds: int = MAX_REPLAY_INTERVAL_SECONDS
    replay_batch_size: int = 500
    lock_key: int = 0x6E6F74696679  # "notify" as a bigint: one leader per database

    @classmethod
    def from_env(cls) -> SchedulerConfig:
        after = _int("REPLAY_CREATED_AFTER_SECONDS", DEFAULT_REPLAY_CREATED_AFTER_SECONDS)
        config = cls(
            tick_seconds=_float("SCHEDULER_TICK_SECONDS", 5.0),
            replay_created_after_seconds=after,
            replay_interval_seconds=_int("REPLAY_INTERVAL_SECONDS", default_replay_interval(after)),
            replay_batch_size=_int("REPLAY_BATCH_SIZE", 500),
            lock_key=_int("SCHEDULER_LOCK_KEY", cls.lock_key),
        )
        config.validate()
        return config

    def validate(self) -> None:
        if self.tick_seconds <= 0:
            raise ValueError("SCHEDULER_TICK_SECONDS must be positive")
        if self.replay_created_after_seconds < 1:
            raise ValueError("REPLAY_CREATED_AFTER_SECONDS must be at least 1")
        if self.replay_interval_seconds < 1:
            raise ValueError("REPLAY_INTERVAL_SECONDS must be at least 1")
        if self.replay_batch_size < 1:
            raise ValueError("REPLAY_BATCH_SIZE must be at least 1")


def default_replay_interval(replay_after_seconds: int) -> int:
    """Scan four times per threshold, as Notify does (hourly threshold, every 15 minutes).

    Each scan re-publishes every row still stuck, so scanning more often than this only multiplies
    duplicate messages while senders are down; scanning less often delays recovery.
    """
    return max(1, min(MAX_REPLAY_INTERVAL_SECONDS, replay_after_seconds // 4))
