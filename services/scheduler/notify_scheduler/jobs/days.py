"""Days as Notify counts them: calendar days in the reporting time zone (London), as UTC instants."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of `day` in `zone`, in UTC. A day is 23 or 25 hours long when the clocks change."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def retention_cutoff(now: datetime, zone: ZoneInfo, days: int) -> datetime:
    """Rows created before this are past a `days`-day retention: Notify keeps today plus `days` whole days."""
    return day_bounds(local_date(now, zone) - timedelta(days=days), zone)[0]
