from sqlalchemy import text

from notify_scheduler.config import SchedulerConfig
from notify_scheduler.jobs.context import JobContext
from notify_scheduler.runs import ABANDONED, run_job, start_run
from notify_scheduler.schedule import Every, Job
from notify_shared.models import JobRun


def _context(db, bus) -> JobContext:
    return JobContext(db=db, bus=bus, config=SchedulerConfig())


def test_a_job_still_running_is_not_started_again(empty_db, bus):
    calls = []
    job = Job("probe", calls.append, Every(1))
    start_run(empty_db, "probe", timeout_seconds=600)  # another instance's run, still going

    result = run_job(job, _context(empty_db, bus))

    assert result.skipped and calls == []


def test_a_run_left_unfinished_past_its_timeout_is_closed_as_abandoned_and_no_longer_blocks(empty_db, bus):
    with empty_db.session() as session:
        dead = session.execute(text(
            "INSERT INTO scheduler_job_runs (job_name, started_at) VALUES ('probe', now() - interval '2 hours') "
            "RETURNING id")).scalar()
    job = Job("probe", lambda ctx: ctx.count(4), Every(1), timeout_seconds=600)

    result = run_job(job, _context(empty_db, bus))

    assert result.ok and result.rows == 4
    with empty_db.session() as session:
        abandoned = session.get(JobRun, dead)
        assert abandoned.error == ABANDONED and abandoned.finished_at is not None


def test_a_failing_job_records_its_error_and_the_rows_it_handled_before_failing(empty_db, bus):
    def half_done(ctx: JobContext) -> None:
        ctx.count(2)
        raise RuntimeError("provider table locked")

    result = run_job(Job("probe", half_done, Every(1)), _context(empty_db, bus))

    with empty_db.session() as session:
        run = session.get(JobRun, result.run_id)
    assert (run.rows, run.error) == (2, "RuntimeError: provider table locked")
    assert run.finished_at is not None


def test_a_finished_run_does_not_block_the_next(empty_db, bus):
    job = Job("probe", lambda ctx: None, Every(1))

    first, second = run_job(job, _context(empty_db, bus)), run_job(job, _context(empty_db, bus))

    assert first.ok and second.ok and first.run_id != second.run_id
