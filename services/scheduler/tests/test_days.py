from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from notify_scheduler.jobs.days import day_bounds, local_date, retention_cutoff

LONDON = ZoneInfo("Europe/London")


def test_a_london_summer_day_starts_at_23_00_utc_the_evening_before():
    assert day_bounds(date(2026, 7, 1), LONDON) == (datetime(2026, 6, 30, 23, tzinfo=UTC),
                                                    datetime(2026, 7, 1, 23, tzinfo=UTC))


def test_the_day_the_clocks_go_back_is_25_hours_long():
    start, end = day_bounds(date(2026, 10, 25), LONDON)
    assert (end - start).total_seconds() == 25 * 3600


def test_just_after_midnight_utc_in_summer_is_already_the_next_day_in_london():
    assert local_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), LONDON) == date(2026, 7, 2)


def test_seven_days_retention_keeps_today_and_the_seven_whole_days_before_it():
    now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert retention_cutoff(now, LONDON, 7) == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert retention_cutoff(now, ZoneInfo("UTC"), 3) == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
