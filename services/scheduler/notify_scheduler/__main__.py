"""`python -m notify_scheduler` runs the scheduler; `... run-job NAME` runs one job now and exits.

run-job exit codes: 0 the run succeeded, 1 it failed (the error is in scheduler_job_runs too),
2 the job is already running elsewhere, 64 unknown job name.
"""
from __future__ import annotations

import argparse
import json
import sys

from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.db import Database
from notify_shared.logging import configure_logging

from .app import SERVICE_NAME, build
from .config import SchedulerConfig
from .jobs import all_jobs, job_named
from .jobs.context import JobContext
from .runs import run_job


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m notify_scheduler", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the scheduler (the default)")
    one = commands.add_parser("run-job", help="run one job now, whoever is leader, and print its result")
    one.add_argument("name")
    commands.add_parser("list-jobs", help="print the jobs and their schedules")
    return parser


def run_one(name: str) -> int:
    settings = Settings.from_env(SERVICE_NAME)
    configure_logging(SERVICE_NAME, settings.log_format, settings.log_level)
    config = SchedulerConfig.from_env()
    try:
        job = job_named(all_jobs(config), name)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 64
    db, bus = Database(settings, pool_size=1, application_name=f"{SERVICE_NAME}-run-job"), Bus(settings)
    try:
        result = run_job(job, JobContext(db=db, bus=bus, config=config))
    finally:
        bus.close()
        db.dispose()
    print(json.dumps({"job": result.job_name, "run_id": result.run_id, "skipped": result.skipped,
                      "rows": result.rows, "error": result.error}))
    if result.skipped:
        return 2
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run-job":
        return run_one(args.name)
    if args.command == "list-jobs":
        for job in all_jobs(SchedulerConfig.from_env()):
            print(f"{job.name}\t{job.when.describe()}")
        return 0
    build().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
