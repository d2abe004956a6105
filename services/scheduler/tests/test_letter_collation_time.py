"""The collation cut-off rule the sender and the scheduler share (pure: no database)."""
from datetime import UTC, datetime, time, timedelta

import pytest

from notify_scheduler.config import SchedulerConfig
from notify_scheduler.schedule import AtCollation
from notify_shared.letters.collation import CollationTime

LONDON_1730 = CollationTime.parse("17:30 Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_default_is_notifys_half_past_five_london_time():
    assert SchedulerConfig().collation == CollationTime(time(17, 30), "Europe/London")
    assert CollationTime.parse("17:30") == LONDON_1730


@pytest.mark.parametrize("raw", ["", "5.30pm", "25:00 Europe/London", "17:30 Mars/Olympus", "17:30 Europe/London x"])
def test_a_bad_collation_time_is_refused_naming_the_variable(raw):
    with pytest.raises(ValueError, match="LETTER_COLLATION_TIME"):
        CollationTime.parse(raw)


def test_a_bad_collation_time_stops_the_scheduler_config():
    with pytest.raises(ValueError, match="LETTER_COLLATION_TIME"):
        SchedulerConfig(letter_collation_time="half five").validate()


def test_a_letter_created_before_the_cut_off_is_due_at_it_and_one_created_at_or_after_it_waits_a_day():
    cut_off = utc(2026, 11, 27, 17, 30)  # GMT in winter
    just_before, at, after = cut_off - timedelta(seconds=1), cut_off, cut_off + timedelta(minutes=5)

    assert LONDON_1730.latest_cutoff(after) == cut_off
    assert LONDON_1730.is_due(just_before, after)
    assert not LONDON_1730.is_due(at, after) and not LONDON_1730.is_due(after, after)
    assert not LONDON_1730.is_due(just_before, just_before)  # before the cut-off nothing from today is due
    assert LONDON_1730.next_cutoff(at) == cut_off + timedelta(days=1)
    assert LONDON_1730.next_cutoff(just_before) == cut_off
    assert LONDON_1730.is_due(at, cut_off + timedelta(days=1))


def test_the_cut_off_stays_at_half_past_five_on_the_wall_clock_across_the_clock_change():
    # The UK clocks went forward on Sunday 29 March 2026: 17:30 BST is 16:30 UTC.
    assert LONDON_1730.latest_cutoff(utc(2026, 3, 28, 18, 0)) == utc(2026, 3, 28, 17, 30)
    assert LONDON_1730.latest_cutoff(utc(2026, 3, 29, 17, 0)) == utc(2026, 3, 29, 16, 30)
    assert LONDON_1730.latest_cutoff(utc(2026, 3, 29, 16, 0)) == utc(2026, 3, 28, 17, 30)


def test_the_collation_job_is_due_once_per_cut_off_and_catches_up_a_missed_one():
    when = AtCollation(LONDON_1730)
    cut_off = utc(2026, 11, 27, 17, 30)

    assert when.is_due(None, cut_off - timedelta(hours=1))
    assert not when.is_due(cut_off - timedelta(days=1), cut_off - timedelta(seconds=1))
    assert when.is_due(cut_off - timedelta(days=1), cut_off)
    assert not when.is_due(cut_off + timedelta(seconds=2), cut_off + timedelta(hours=3))
    assert when.is_due(cut_off - timedelta(days=2), cut_off - timedelta(hours=1))  # yesterday's was missed
    assert when.describe() == "daily at 17:30 Europe/London"
