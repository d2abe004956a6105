"""The jobs the scheduler runs, defined in code with their schedules."""
from __future__ import annotations

from ..config import SchedulerConfig
from ..schedule import Every, Job
from .replay_created import replay_stuck_created


def all_jobs(config: SchedulerConfig) -> list[Job]:
    return [
        Job("replay-created-notifications", replay_stuck_created, Every(config.replay_interval_seconds),
            timeout_seconds=max(60, config.replay_interval_seconds * 4)),
    ]


def job_named(jobs: list[Job], name: str) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(f"no job named {name!r}; known jobs: {', '.join(j.name for j in jobs)}")
