"""Every job run is a row in scheduler_job_runs: start, end, rows touched, error.

The table is also the guard against starting a job twice: a run with no finished_at is still
going, unless it is older than the job's timeout, in which case its process died and the run is
closed as abandoned. Times come from the database clock so every instance agrees on them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update

from notify_shared.bus import PublishError
from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.logging import bound, get_logger
from notify_shared.models import JobRun

from .jobs.context import JobContext
from .schedule import Job

log = get_logger(__name__)

OUTAGES: tuple[type[BaseException], ...] = (PublishError, *DB_UNAVAILABLE_ERRORS)
ABANDONED = "abandoned: still unfinished after the job's timeout (its process probably died)"
MAX_ERROR_CHARS = 2000


def start_run(db: Database, job_name: str, timeout_seconds: int) -> int | None:
    """Record the start of a run and return its id, or None if the job is already running."""
    with db.session() as session:
        # Serialise starts of the same job (say, a run-job CLI racing the leader) for this transaction.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"scheduler_job_runs:{job_name}"})
        session.execute(
            update(JobRun)
            .where(JobRun.job_name == job_name, JobRun.finished_at.is_(None),
                   JobRun.started_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, timeout_seconds))
            .values(finished_at=func.now(), error=ABANDONED)
        )
        running = session.scalar(
            select(JobRun.id).where(JobRun.job_name == job_name, JobRun.finished_at.is_(None)).limit(1)
        )
        if running is not None:
            return None
        run = JobRun(job_name=job_name, started_at=func.now())
        session.add(run)
        session.flush()
        return run.id


def finish_run(db: Database, run_id: int, *, rows: int, error: str | None) -> None:
    with db.session() as session:
        session.execute(
            update(JobRun).where(JobRun.id == run_id)
            .values(finished_at=func.clock_timestamp(), rows=rows,
                    error=error[:MAX_ERROR_CHARS] if error else None)
        )


def last_starts(db: Database, job_names: list[str]) -> tuple[dict[str, datetime], datetime]:
    """The latest start of each job, and the database's current time to compare them with."""
    with db.session() as session:
        rows = session.execute(
            select(JobRun.job_name, func.max(JobRun.started_at))
            .where(JobRun.job_name.in_(job_names)).group_by(JobRun.job_name)
        ).all()
        now = session.scalar(select(func.now()))
    return {name: started for name, started in rows}, now


@dataclass(frozen=True)
class RunResult:
    job_name: str
    run_id: int | None  # None: not started because another run of the job is still going
    rows: int = 0
    error: str | None = None

    @property
    def skipped(self) -> bool:
        return self.run_id is None

    @property
    def ok(self) -> bool:
        return not self.skipped and self.error is None


def run_job(job: Job, ctx: JobContext) -> RunResult:
    """Run one job now, recorded in scheduler_job_runs; a failure is recorded, not raised."""
    run_id = start_run(ctx.db, job.name, job.timeout_seconds)
    if run_id is None:
        log.info("job_already_running", job=job.name)
        return RunResult(job.name, None)
    started = time.monotonic()
    # Leave a margin so the run finishes (and is recorded) before it would count as abandoned.
    ctx.deadline = started + job.timeout_seconds * 0.8
    error: str | None = None
    with bound(job=job.name, job_run_id=run_id):
        log.info("job_started")
        try:
            job.run(ctx)
        except OUTAGES as exc:
            # The bus or the database is down: an operational fact, not a bug; the trace adds nothing.
            error = f"{type(exc).__name__}: {exc}"
            log.error("job_failed", rows=ctx.rows, error=error)
        except Exception as exc:  # noqa: BLE001 - a failed run is recorded and the schedule goes on
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job_failed", rows=ctx.rows)
        finish_run(ctx.db, run_id, rows=ctx.rows, error=error)
        log.info("job_finished", rows=ctx.rows, ok=error is None, seconds=round(time.monotonic() - started, 3))
    return RunResult(job.name, run_id, ctx.rows, error)
