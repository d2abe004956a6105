"""The real `python -m notify_scheduler` processes: leadership, takeover, and the run-job command."""
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from sqlalchemy import select, text

from notify_devstack.infra import free_port
from notify_devstack.processes import process_specs
from notify_scheduler.config import SchedulerConfig
from notify_scheduler.jobs import all_jobs
from notify_scheduler.leader import HELD_BY, current_leader
from notify_shared import queues
from notify_shared.models import JobRun, Notification
from notify_testkit.processes import wait_until

from .conftest import consume

LOCK_KEY = SchedulerConfig().lock_key


def _scheduler_spec(ports, name: str):
    spec = next(s for s in process_specs(ports) if s.name == "scheduler")
    port = free_port()
    return replace(spec, name=name, env={**spec.env, "HEALTH_PORT": str(port)},
                   health_url=f"http://127.0.0.1:{port}/_status/live")


def _leader_pid(db) -> int | None:
    with db.engine.connect() as conn:
        holders = conn.execute(text(HELD_BY), {"k": LOCK_KEY}).scalars().all()
        leader = current_leader(conn, LOCK_KEY)
    assert len(holders) <= 1, f"more than one leader: {holders}"
    return int(leader.rsplit(":", 1)[1]) if leader else None


@pytest.fixture
def two_schedulers(processes, ports, empty_db):
    for name in ("scheduler-a", "scheduler-b"):
        processes.start(_scheduler_spec(ports, name), extra_env={"REPLAY_INTERVAL_SECONDS": "1"})
    return {name: running.proc.pid for name, running in processes.running.items()}


def test_of_two_scheduler_processes_exactly_one_leads_and_runs_jobs(two_schedulers, processes, empty_db):
    leader_pid = wait_until(lambda: _leader_pid(empty_db), timeout=10, message="a leader")
    time.sleep(2.5)  # several ticks: the standby keeps trying and keeps failing

    assert _leader_pid(empty_db) == leader_pid
    assert leader_pid in two_schedulers.values()
    leader = next(name for name, pid in two_schedulers.items() if pid == leader_pid)
    standby = next(name for name in two_schedulers if name != leader)
    assert "scheduler_became_leader" in processes.tail(leader, 200)
    assert "scheduler_became_leader" not in processes.tail(standby, 200)
    assert "scheduler_standing_by" in processes.tail(standby, 200)
    assert "job_started" not in processes.tail(standby, 200)
    with empty_db.session() as session:
        assert session.scalars(select(JobRun).where(JobRun.job_name == "replay-created-notifications")).first()
        started = set(session.scalars(select(JobRun.job_name)))
    assert started == {job.name for job in all_jobs(SchedulerConfig())}  # every job runs on a new leader's first tick
    assert _overlapping_runs(empty_db) == []


def test_when_the_leader_is_killed_the_standby_takes_over_within_seconds(two_schedulers, processes, empty_db):
    leader_pid = wait_until(lambda: _leader_pid(empty_db), timeout=10, message="a leader")
    leader = next(name for name, pid in two_schedulers.items() if pid == leader_pid)
    standby = next(name for name in two_schedulers if name != leader)

    processes.kill(leader, signal.SIGKILL)
    killed_at = time.monotonic()
    new_pid = wait_until(lambda: (pid := _leader_pid(empty_db)) not in (None, leader_pid) and pid,
                         timeout=10, interval=0.1, message="the standby to take the lock")
    took_over_in = time.monotonic() - killed_at

    assert new_pid == two_schedulers[standby]
    assert took_over_in < 5
    assert "scheduler_became_leader" in processes.tail(standby, 200)
    # The new leader runs the jobs: a replay run starts after the takeover.
    with empty_db.session() as session:
        before = session.query(JobRun).count()
    wait_until(lambda: _runs(empty_db) > before, timeout=10, message="a job run by the new leader")
    assert _overlapping_runs(empty_db) == []


def _overlapping_runs(db) -> list:
    """Pairs of runs of the same job whose [start, end) intervals overlap: a job that ran twice at once."""
    with db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT a.job_name, a.id, b.id FROM scheduler_job_runs a JOIN scheduler_job_runs b "
            "ON a.job_name = b.job_name AND a.id < b.id "
            "AND b.started_at < coalesce(a.finished_at, 'infinity') "
            "AND a.started_at < coalesce(b.finished_at, 'infinity')")).all()


def test_a_leader_stopped_gracefully_hands_over_at_once(two_schedulers, processes, empty_db):
    leader_pid = wait_until(lambda: _leader_pid(empty_db), timeout=10, message="a leader")
    leader = next(name for name, pid in two_schedulers.items() if pid == leader_pid)
    standby = next(name for name in two_schedulers if name != leader)

    processes.stop(leader)  # SIGTERM, as CF sends on a deploy or scale-down

    wait_until(lambda: _leader_pid(empty_db) == two_schedulers[standby], timeout=5, interval=0.1,
               message="the standby to lead")


def _runs(db) -> int:
    with db.session() as session:
        return session.query(JobRun).count()


def _run_job_cli(stack_env, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **stack_env}
    return subprocess.run([sys.executable, "-m", "notify_scheduler", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_run_job_command_replays_stuck_notifications_now_and_reports_the_run(stack_env, stuck, bus, empty_db):
    stuck_sms = stuck(age_seconds=600)

    done = _run_job_cli(stack_env, "run-job", "replay-created-notifications")

    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["job"], report["rows"], report["error"], report["skipped"]) == (
        "replay-created-notifications", 1, None, False)
    [(queue, envelope)] = consume(bus, [queues.SEND_SMS], 1)
    assert envelope.notification_id == str(stuck_sms)
    with empty_db.session() as session:
        assert session.get(JobRun, report["run_id"]).rows == 1


def test_run_job_command_names_the_known_jobs_when_given_an_unknown_one(stack_env):
    done = _run_job_cli(stack_env, "run-job", "no-such-job")

    assert done.returncode == 64
    assert "replay-created-notifications" in done.stderr


def test_list_jobs_command_prints_every_job_with_its_utc_schedule(stack_env):
    done = _run_job_cli(stack_env, "list-jobs")

    assert done.returncode == 0, done.stderr
    listed = dict(line.split("\t") for line in done.stdout.strip().splitlines())
    assert listed["delete-notifications-past-retention"] == "cron '0 3 * * *' UTC"
    assert listed["collate-letters"] == "daily at 17:30 Europe/London"
    assert set(listed) == {"replay-created-notifications", "recover-stale-claims", "collate-letters",
                           "timeout-sending-notifications",
                           "delete-notifications-past-retention", "delete-inbound-sms-past-retention",
                           "daily-status-counts", "sms-provider-reweighting"}


def test_run_job_command_runs_a_daily_job_now_whatever_the_time(stack_env, stuck, empty_db):
    expired = stuck(status="delivered", age_seconds=8 * 86400)

    done = _run_job_cli(stack_env, "run-job", "delete-notifications-past-retention")

    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["rows"], report["error"]) == (1, None)
    with empty_db.session() as session:
        assert session.get(Notification, expired) is None
