"""When jobs run: every N seconds, daily at a UTC time, or a crontab time in UTC. Pure functions of (last run, now).

Due-ness is computed from the last recorded start in scheduler_job_runs, not from in-memory
timers, so a standby that takes over keeps the schedule the dead leader was following.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

from notify_shared.letters.collation import CollationTime

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
class AtCollation:
    """Daily at the letter collation time, a wall-clock time in its own zone (so 17:30 London stays 17:30
    across the clock changes); a collation missed while no leader was up happens on the next tick."""

    collation: CollationTime

    def is_due(self, last_started: datetime | None, now: datetime) -> bool:
        return last_started is None or last_started < self.collation.latest_cutoff(now)

    def describe(self) -> str:
        return f"daily at {self.collation.describe()}"


def _cron_field(spec: str, low: int, high: int, name: str) -> frozenset[int]:
    """One cron field: `*`, `*/n`, `a`, `a-b`, `a-b/n` or a comma list of those."""
    values: set[int] = set()
    for part in spec.split(","):
        rng, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if rng == "*":
                start, end = low, high
            elif "-" in rng:
                start, end = (int(v) for v in rng.split("-", 1))
            else:
                start = end = int(rng)
        except ValueError as exc:
            raise ValueError(f"cron {name} field {spec!r} is not understood") from exc
        if step < 1 or not low <= start <= end <= high:
            raise ValueError(f"cron {name} field {spec!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A crontab time in UTC: `minute hour * * *` (the day fields must be `*`; daily is the longest period).

    Like DailyAt, a fire time missed while no leader was up is caught up once at the next tick, and a
    job that never ran is due at once.
    """

    expression: str
    minutes: frozenset[int] = field(init=False, repr=False, compare=False)
    hours: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields_ = self.expression.split()
        if len(fields_) != 5:
            raise ValueError(f"cron expression {self.expression!r} needs five fields")
        if fields_[2:] != ["*", "*", "*"]:
            raise ValueError(f"cron expression {self.expression!r}: only minute and hour may be set")
        object.__setattr__(self, "minutes", _cron_field(fields_[0], 0, 59, "minute"))
        object.__setattr__(self, "hours", _cron_field(fields_[1], 0, 23, "hour"))

    def latest_fire_time(self, now: datetime) -> datetime:
        now = now.astimezone(UTC).replace(second=0, microsecond=0)
        for hours_back in range(25):  # every hour has a fire time within a day, so this always finds one
            moment = now - timedelta(hours=hours_back)
            if moment.hour not in self.hours:
                continue
            latest = max((m for m in self.minutes if hours_back or m <= now.minute), default=None)
            if latest is not None:
                return moment.replace(minute=latest)
        raise AssertionError("unreachable: cron fields are never empty")

    def is_due(self, last_started: datetime | None, now: datetime) -> bool:
        return last_started is None or last_started < self.latest_fire_time(now)

    def describe(self) -> str:
        return f"cron '{self.expression}' UTC"


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
