"""The scheduler loop: win (or keep) leadership, then start the jobs that are due.

Every instance ticks; only the one holding the leader lock runs jobs. Jobs run on their own
threads so a long run never stalls the tick, which beats the heartbeat and re-checks leadership.
"""
from __future__ import annotations

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.exc import SQLAlchemyError

from notify_shared.config import Settings
from notify_shared.logging import get_logger
from notify_shared.worker import WorkerProcess

from .config import SchedulerConfig
from .jobs import all_jobs
from .jobs.context import JobContext
from .leader import LeaderLock, instance_identity
from .runs import RunResult, last_starts, run_job
from .schedule import Job, due_jobs

log = get_logger(__name__)

SERVICE_NAME = "scheduler"


class Scheduler:
    def __init__(self, worker: WorkerProcess, config: SchedulerConfig, jobs: list[Job] | None = None):
        self.worker = worker
        self.config = config
        self.jobs = jobs if jobs is not None else all_jobs(config)
        self.lock = LeaderLock(worker.settings, config.lock_key)
        self._stopping = threading.Event()
        self.job_slots = job_slots(worker.settings, len(self.jobs))
        # Due jobs beyond the free slots wait in the executor's queue (still marked running, so never
        # submitted twice) until a slot frees, rather than queueing on the connection pool.
        self._pool = ThreadPoolExecutor(max_workers=self.job_slots, thread_name_prefix="job")
        self._running: dict[str, Future[RunResult]] = {}
        self._standing_by = False

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        self.worker.on_stop(self.stop)
        self.worker.start()
        log.info("scheduler_started", jobs={job.name: job.when.describe() for job in self.jobs},
                 tick_seconds=self.config.tick_seconds, concurrent_jobs=self.job_slots)
        try:
            while not self._stopping.is_set():
                self.tick()
                self._stopping.wait(self.config.tick_seconds)
        finally:
            self._pool.shutdown(wait=True)  # jobs see `stopping` and wrap up after their current batch
            self.lock.dispose()
            log.info("scheduler_stopped")
            self.worker.close()

    def tick(self) -> None:
        self.worker.heartbeat.beat()
        if not self._lead():
            return
        self._forget_finished()
        idle = [job for job in self.jobs if job.name not in self._running]
        if not idle:
            return
        try:
            starts, now = last_starts(self.worker.db, [job.name for job in idle])
        except SQLAlchemyError as exc:
            log.warning("scheduler_tick_skipped", error=type(exc).__name__)
            return
        for job in due_jobs(idle, starts, now):
            # Carry the bound log context (service name) onto the job's thread.
            log_context = contextvars.copy_context()
            self._running[job.name] = self._pool.submit(log_context.run, run_job, job, self._context())

    def _lead(self) -> bool:
        if self.lock.held:
            if self.lock.still_held():
                return True
            log.warning("scheduler_leadership_lost")
        if self.lock.try_acquire():
            self._standing_by = False
            log.info("scheduler_became_leader", lock_key=self.config.lock_key, instance=instance_identity())
            return True
        if not self._standing_by:  # once per change, not every tick
            self._standing_by = True
            log.info("scheduler_standing_by", instance=instance_identity())
        return False

    def _forget_finished(self) -> None:
        for name, future in list(self._running.items()):
            if future.done():
                del self._running[name]
                if future.exception() is not None:  # recording the run itself failed (database down)
                    log.error("job_run_not_recorded", job=name, error=type(future.exception()).__name__)

    def _context(self) -> JobContext:
        return JobContext(db=self.worker.db, bus=self.worker.bus, config=self.config, stopping=self._stopping)


def job_slots(settings: Settings, job_count: int) -> int:
    """How many jobs may run at once: each holds one pooled connection at a time, and the tick needs one."""
    return max(1, min(job_count, settings.db_pool_size + settings.db_max_overflow - 1))


def build(settings: Settings | None = None) -> Scheduler:
    config = SchedulerConfig.from_env()
    worker = WorkerProcess(SERVICE_NAME, settings)
    return Scheduler(worker, config)
