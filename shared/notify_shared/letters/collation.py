"""The daily letter collation: the moment each day when the letters created so far go to the print provider.

GOV.UK Notify sends DVLA the letters created before 17:30 London time; a letter created at or after
the cut-off waits for the next day's collation. LETTER_COLLATION_TIME (`HH:MM Zone`, default
`17:30 Europe/London`) sets it for both the sender (which hands a live letter over only once its
collation has passed) and the scheduler (which publishes the due letters at that time).

The rule is one function of two instants, so the sender and the scheduler agree whenever both use the
database clock: a letter created at `created_at` is due at `now` when `created_at < latest_cutoff(now)`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_LETTER_COLLATION_TIME = "17:30 Europe/London"


@dataclass(frozen=True)
class CollationTime:
    at: time
    zone_name: str = "Europe/London"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name)

    @classmethod
    def parse(cls, raw: str) -> CollationTime:
        """`17:30 Europe/London` (the zone defaults to Europe/London); ValueError naming the env var otherwise."""
        parts = raw.split()
        if not 1 <= len(parts) <= 2:
            raise ValueError(f"LETTER_COLLATION_TIME looks like '17:30 Europe/London', got {raw!r}")
        try:
            at = time.fromisoformat(parts[0])
        except ValueError as exc:
            raise ValueError(f"LETTER_COLLATION_TIME {parts[0]!r} is not a HH:MM time") from exc
        zone_name = parts[1] if len(parts) == 2 else "Europe/London"
        try:
            ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"LETTER_COLLATION_TIME zone {zone_name!r} is not a known time zone") from exc
        return cls(at, zone_name)

    def cutoff_on(self, day_offset: int, now: datetime) -> datetime:
        """The cut-off `day_offset` local days from `now`'s local day, in UTC."""
        local_day = now.astimezone(self.zone).date() + timedelta(days=day_offset)
        # A wall time that falls in a DST gap or overlap is resolved by zoneinfo's fold=0 rule.
        return datetime.combine(local_day, self.at, tzinfo=self.zone).astimezone(UTC)

    def latest_cutoff(self, now: datetime) -> datetime:
        """The most recent cut-off at or before `now`: letters created before it are due."""
        today = self.cutoff_on(0, now)
        return today if now >= today else self.cutoff_on(-1, now)

    def next_cutoff(self, now: datetime) -> datetime:
        """The first cut-off after `now`: the collation a letter created at `now` goes out in."""
        today = self.cutoff_on(0, now)
        return today if now < today else self.cutoff_on(1, now)

    def is_due(self, created_at: datetime, now: datetime) -> bool:
        return created_at < self.latest_cutoff(now)

    def describe(self) -> str:
        return f"{self.at.strftime('%H:%M:%S' if self.at.second else '%H:%M')} {self.zone_name}"
