"""When jobs run: every N seconds, or daily at a UTC time. Pure functions of (last run, now).

Due-ness is computed from the last recorded start in scheduler_job_runs, not from in-memory
timers, so a standby that takes over keeps the schedule the dead leader was following.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .jobs.context import JobContext


class When(Protocol):
    def is_due(self, last_started: datetime | None, now: datetime) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Every:
    seconds: float

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("an interval must be positive")

    def is_due(self, last_started: datetime | None, now: datetime) -> bool:
        return last_started is None or (now - last_started).total_seconds() >= self.seconds

    def describe(self) -> str:
        return f"every {self.seconds:g}s"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at hour:minute UTC; a run missed while no leader was up happens on the next tick."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError("DailyAt needs 0 <= hour < 24 and 0 <= minute < 60")

    def latest_fire_time(self, now: datetime) -> datetime:
        now = now.astimezone(UTC)
        today = datetime.combine(now.date(), time(self.hour, self.minute), tzinfo=UTC)
        return today if now >= today else today - timedelta(days=1)

    def is_due(self, last_started: datetime | None, now: datetime) -> bool:
        return last_started is None or last_started < self.latest_fire_time(now)

    def describe(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d} UTC"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[JobContext], None] = field(repr=False)
    when: When
    # A run still unfinished after this long is taken as abandoned (its process died) and no
    # longer blocks the next one. Keep it above the longest honest run.
    timeout_seconds: int = 3600


def due_jobs(jobs: list[Job], last_started: dict[str, datetime], now: datetime) -> list[Job]:
    return [job for job in jobs if job.when.is_due(last_started.get(job.name), now)]
