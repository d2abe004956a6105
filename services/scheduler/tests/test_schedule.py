from datetime import UTC, datetime, timedelta, timezone

import pytest

from notify_scheduler.config import SchedulerConfig, default_replay_interval
from notify_scheduler.jobs import all_jobs
from notify_scheduler.schedule import Cron, DailyAt, Every, Job, due_jobs

NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_an_interval_job_is_due_when_it_never_ran_or_its_interval_has_passed():
    every_minute = Every(60)

    assert every_minute.is_due(None, NOON)
    assert every_minute.is_due(NOON - timedelta(seconds=60), NOON)
    assert not every_minute.is_due(NOON - timedelta(seconds=59), NOON)


def test_a_daily_job_runs_once_after_its_utc_time():
    at_0330 = DailyAt(3, 30)
    today_0330 = NOON.replace(hour=3, minute=30)

    assert at_0330.is_due(today_0330 - timedelta(days=1), NOON)  # yesterday's run: today's is due
    assert not at_0330.is_due(today_0330 + timedelta(minutes=1), NOON)  # already ran today
    assert not at_0330.is_due(today_0330 - timedelta(hours=1), today_0330 - timedelta(minutes=1))  # not yet


def test_a_daily_job_missed_while_no_leader_was_up_runs_at_the_next_tick():
    at_0100 = DailyAt(1)
    last_run = datetime(2026, 11, 25, 1, 0, 5, tzinfo=UTC)

    assert at_0100.is_due(last_run, NOON)


def test_daily_times_are_utc_whatever_zone_now_is_given_in():
    british_summer_time = timezone(timedelta(hours=1))
    half_past_midnight_bst = datetime(2026, 7, 1, 0, 30, tzinfo=british_summer_time)  # 23:30 UTC on 30 June

    assert DailyAt(23).latest_fire_time(half_past_midnight_bst) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def test_due_jobs_picks_only_those_whose_schedule_has_come_round():
    jobs = [Job("a", lambda ctx: None, Every(10)), Job("b", lambda ctx: None, Every(600))]

    due = due_jobs(jobs, {"a": NOON - timedelta(seconds=30), "b": NOON - timedelta(seconds=30)}, NOON)

    assert [job.name for job in due] == ["a"]


def test_impossible_schedules_are_rejected():
    with pytest.raises(ValueError):
        Every(0)
    with pytest.raises(ValueError):
        DailyAt(24)


@pytest.mark.parametrize(("threshold", "interval"), [(3600, 900), (86400, 900), (30, 7), (5, 1), (1, 1)])
def test_replay_scans_four_times_per_threshold_at_most_every_15_minutes(threshold, interval):
    assert default_replay_interval(threshold) == interval


def test_a_cron_time_is_due_once_per_fire_time():
    every_five = Cron("*/5 * * * *")
    at_1203 = NOON.replace(minute=3)

    assert every_five.latest_fire_time(at_1203) == NOON
    assert every_five.is_due(NOON - timedelta(seconds=1), at_1203)  # the 12:00 run has not happened yet
    assert not every_five.is_due(NOON + timedelta(seconds=2), at_1203)  # it has
    assert every_five.is_due(None, at_1203)


def test_a_daily_cron_time_looks_back_to_yesterday_before_its_hour():
    at_0005 = Cron("5 0 * * *")
    just_before = datetime(2026, 11, 28, 0, 4, tzinfo=UTC)

    assert at_0005.latest_fire_time(just_before) == datetime(2026, 11, 27, 0, 5, tzinfo=UTC)
    assert at_0005.latest_fire_time(NOON) == datetime(2026, 11, 28, 0, 5, tzinfo=UTC)


def test_cron_lists_and_ranges_are_understood_and_day_fields_must_be_wildcards():
    assert Cron("0,30 9-17/4 * * *").latest_fire_time(NOON.replace(hour=16, minute=10)) == NOON.replace(
        hour=13, minute=30)
    for bad in ("60 * * * *", "* * 1 * *", "*/0 * * * *", "5 0 * *"):
        with pytest.raises(ValueError):
            Cron(bad)


def test_every_job_is_registered_at_notify_like_utc_times():
    schedules = {job.name: job.when.describe() for job in all_jobs(SchedulerConfig())}

    assert schedules == {
        "replay-created-notifications": "every 900s",
        "recover-stale-claims": "every 300s",
        "collate-letters": "daily at 17:30 Europe/London",  # a London wall-clock time, as Notify's 17:30
        "timeout-sending-notifications": "cron '5 0 * * *' UTC",
        "delete-notifications-past-retention": "cron '0 3 * * *' UTC",
        "delete-inbound-sms-past-retention": "cron '40 3 * * *' UTC",
        "daily-status-counts": "cron '0 * * * *' UTC",
        "sms-provider-reweighting": "cron '*/5 * * * *' UTC",
    }
