"""`make bench-retention`: how fast retention deletes, and what it does to the API's intake latency.

In a throwaway database (created, migrated, dropped at the end) it seeds BENCH_RETENTION_ROWS
(default 1,000,000) notifications past their 7-day retention with one INSERT ... SELECT
generate_series per chunk, then measures an API-like intake (threads each running the API's short
transaction: read the template, INSERT one `created` notification, commit):

1. without deletion, for BENCH_RETENTION_INTAKE_SECONDS (20 s);
2. while the scheduler's delete-notifications-past-retention job runs (the real job, with its
   defaults: 10,000-row batches, one short transaction each), until it has deleted everything.

It prints rows deleted per second and intake p50/p99 for both phases, checks the targets
(>= 10,000 rows/s, p99 rising less than 2x) and writes bench/results/retention.json.
Bounded: seeding, each phase and the deletion all have time limits (BENCH_RETENTION_MAX_SECONDS).
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from notify_devstack.infra import LOCAL_PG, EmbeddedPostgres, create_database, database_reachable, drop_database
from notify_scheduler.config import SchedulerConfig
from notify_scheduler.jobs import all_jobs, job_named
from notify_scheduler.jobs.context import JobContext
from notify_scheduler.runs import run_job
from notify_shared import provisioning
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.migrate import upgrade
from notify_shared.models import Notification, Template

ROWS = int(os.environ.get("BENCH_RETENTION_ROWS", "1000000"))
INTAKE_SECONDS = float(os.environ.get("BENCH_RETENTION_INTAKE_SECONDS", "20"))
INTAKE_THREADS = int(os.environ.get("BENCH_RETENTION_INTAKE_THREADS", "4"))
MAX_SECONDS = float(os.environ.get("BENCH_RETENTION_MAX_SECONDS", "600"))  # per phase: seeding, deletion
SERVICES = 10
SEED_CHUNK = 200_000
TARGET_ROWS_PER_SECOND = 10_000
TARGET_P99_RATIO = 2.0
RESULTS = Path(__file__).resolve().parent / "results" / "retention.json"
JOB = "delete-notifications-past-retention"

# Expired rows spread over days 28..8 ago, inserted in created_at order as production writes them.
# One in fifty is a test-key row (deleted without history); the rest are delivered SMS and email.
SEED_SQL = text("""
INSERT INTO notifications (id, service_id, template_id, template_version, key_type, notification_type, "to",
                           normalised_to, personalisation, status, reference, client_reference, created_at,
                           sent_at, updated_at, completed_at, sent_by, billable_units, international,
                           phone_prefix, rate_multiplier, send_attempts, claimed_at)
SELECT gen_random_uuid(), t.service_id, t.template_id, 1,
       CASE WHEN i % 50 = 0 THEN 'test' ELSE 'normal' END, t.notification_type,
       CASE WHEN t.notification_type = 'sms' THEN '07700900' || lpad((i % 1000)::text, 3, '0')
            ELSE 'person' || i || '@example.com' END,
       CASE WHEN t.notification_type = 'sms' THEN '447700900' || lpad((i % 1000)::text, 3, '0')
            ELSE 'person' || i || '@example.com' END,
       repeat('x', 120), 'delivered', 'ref-' || i, 'client-' || i, c.created_at, c.created_at,
       c.created_at + interval '5 seconds', c.created_at + interval '5 seconds',
       CASE WHEN t.notification_type = 'sms' THEN 'mmg' ELSE 'ses' END, 1, false,
       CASE WHEN t.notification_type = 'sms' THEN '44' END, CASE WHEN t.notification_type = 'sms' THEN 1.0 END,
       1, c.created_at
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i
JOIN bench_targets t ON t.k = i % :targets
CROSS JOIN LATERAL (SELECT now() - interval '28 days' + (interval '20 days') * i / :rows AS created_at) c
""")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


@dataclass
class Intake:
    """API-like writers: each thread loops over the API's send transaction and records its latency."""

    db: Database
    templates: list[tuple[uuid.UUID, uuid.UUID]]  # (service_id, sms template_id)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _writer(self, seed: int) -> None:
        box = SecretBox("bench-secret")
        sealed = box.encrypt(json.dumps({"name": "Ada", "code": "123456"}))
        n = seed
        mine: list[float] = []
        while not self._stop.is_set():
            service_id, template_id = self.templates[n % len(self.templates)]
            n += 1
            started = time.perf_counter()
            try:
                with self.db.session() as session:
                    version = session.scalar(select(Template.version).where(
                        Template.id == template_id, Template.service_id == service_id, Template.archived.is_(False)))
                    session.execute(Notification.__table__.insert().values(
                        id=uuid.uuid4(), service_id=service_id, template_id=template_id, template_version=version,
                        key_type="normal", notification_type="sms", to="07700900123", normalised_to="447700900123",
                        personalisation=sealed, status="created", client_reference=f"bench-{n}",
                        created_at=datetime.now(UTC), billable_units=0, send_attempts=0, international=False,
                        phone_prefix="44", rate_multiplier=1.0, reply_to_text="GOVUK"))
            except Exception:  # noqa: BLE001 - a failed write is counted, and the benchmark goes on
                self.errors += 1
                continue
            mine.append(time.perf_counter() - started)
        with self._lock:
            self.latencies.extend(mine)

    def run(self, until: threading.Event | None, seconds: float) -> dict[str, float]:
        """Write until `until` is set (or for `seconds` when it is None), then summarise the latencies."""
        self.latencies, self.errors = [], 0
        self._stop.clear()
        threads = [threading.Thread(target=self._writer, args=(i,), daemon=True) for i in range(INTAKE_THREADS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        if until is None:
            time.sleep(seconds)
        else:
            until.wait(seconds)
        self._stop.set()
        for thread in threads:
            thread.join(30)
        elapsed = time.monotonic() - started
        ms = [1000 * v for v in self.latencies]
        return {"seconds": round(elapsed, 2), "writes": len(ms), "writes_per_second": round(len(ms) / elapsed, 1),
                "errors": self.errors, "p50_ms": round(statistics.median(ms), 3),
                "p99_ms": round(percentile(ms, 0.99), 3), "max_ms": round(max(ms), 3)}


def server_url(stack: list) -> str:
    if os.environ.get("BENCH_DATABASE_SERVER_URL"):
        return os.environ["BENCH_DATABASE_SERVER_URL"]
    if database_reachable(LOCAL_PG):
        return LOCAL_PG
    embedded = EmbeddedPostgres(Path(os.environ.get("TMPDIR", "/tmp")) / f"notify-bench-pg-{uuid.uuid4().hex[:8]}")
    stack.append(embedded)
    return embedded.start()


def seed(db: Database, settings: Settings) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], float]:
    box = SecretBox(settings.secret_key)
    with db.session() as session:
        targets = []
        for n in range(SERVICES):
            service = provisioning.create_service(session, name=f"Bench service {n}", restricted=False,
                                                  permissions=["sms", "email"])
            for notification_type in ("sms", "email"):
                template = provisioning.create_template(
                    session, service_id=service.id, name=notification_type, template_type=notification_type,
                    subject="Hello" if notification_type == "email" else None, content="Hello ((name))")
                targets.append((service.id, template.id, notification_type))
            provisioning.create_api_key(session, box, service_id=service.id, name="bench", key_type="normal")
        session.execute(text("CREATE TABLE bench_targets (k int, service_id uuid, template_id uuid, "
                             "notification_type text)"))
        for k, (service_id, template_id, notification_type) in enumerate(targets):
            session.execute(text("INSERT INTO bench_targets VALUES (:k, :s, :t, :n)"),
                            {"k": k, "s": service_id, "t": template_id, "n": notification_type})
    started = time.monotonic()
    for first in range(0, ROWS, SEED_CHUNK):
        if time.monotonic() - started > MAX_SECONDS:
            raise SystemExit(f"seeding took longer than {MAX_SECONDS}s; set BENCH_RETENTION_ROWS lower")
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 0"))
            conn.execute(SEED_SQL, {"first": first, "last": min(ROWS, first + SEED_CHUNK) - 1,
                                    "targets": len(targets), "rows": ROWS})
        print(f"  seeded {min(ROWS, first + SEED_CHUNK):,} rows", file=sys.stderr)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SET statement_timeout = 0"))
        # Old rows in production are long since vacuumed and analysed; start from the same place.
        conn.execute(text("VACUUM ANALYZE notifications"))
    seconds = time.monotonic() - started
    sms_templates = [(service_id, template_id) for service_id, template_id, kind in targets if kind == "sms"]
    return sms_templates, seconds


def main() -> int:
    stack: list = []
    server = server_url(stack)
    name = f"notify_bench_retention_{uuid.uuid4().hex[:8]}"
    url = create_database(server, name)
    try:
        upgrade(url)
        settings = Settings(**{**Settings.from_env("bench").__dict__, "database_url": url,
                               "db_pool_size": INTAKE_THREADS + 2, "db_statement_timeout_ms": 60_000})
        intake_db = Database(settings, application_name="bench-intake")
        job_db = Database(settings, pool_size=2, application_name="bench-retention")
        print(f"seeding {ROWS:,} expired notifications into {name}", file=sys.stderr)
        templates, seed_seconds = seed(intake_db, settings)
        intake = Intake(intake_db, templates)

        print(f"intake without deletion ({INTAKE_SECONDS:g}s, {INTAKE_THREADS} threads)", file=sys.stderr)
        baseline = intake.run(None, INTAKE_SECONDS)

        print("intake while the retention job deletes", file=sys.stderr)
        config = SchedulerConfig()
        ctx = JobContext(db=job_db, bus=Bus(settings), config=config)
        done = threading.Event()
        outcome: dict = {}

        def delete() -> None:
            started = time.monotonic()
            outcome["result"] = run_job(job_named(all_jobs(config), JOB), ctx)
            outcome["seconds"] = time.monotonic() - started
            done.set()

        stopper = threading.Timer(MAX_SECONDS, ctx.stopping.set)  # bounded: the job wraps up after its batch
        stopper.start()
        threading.Thread(target=delete, daemon=True).start()
        during = intake.run(done, MAX_SECONDS + 60)
        done.wait(60)
        stopper.cancel()
        result = outcome["result"]
        with job_db.session() as session:
            history = session.scalar(text("SELECT count(*) FROM notification_history"))
            left = session.scalar(text(
                "SELECT count(*) FROM notifications WHERE created_at < now() - interval '8 days'"))

        rows_per_second = result.rows / outcome["seconds"]
        ratio = during["p99_ms"] / baseline["p99_ms"]
        report = {
            "benchmark": "retention",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "seeded_rows": ROWS, "seed_seconds": round(seed_seconds, 1),
            "deletion": {"rows_deleted": result.rows, "moved_to_history": history, "expired_rows_left": left,
                         "seconds": round(outcome["seconds"], 2), "rows_per_second": round(rows_per_second),
                         "batch_size": config.retention_batch_size, "error": result.error},
            "intake_without_deletion": baseline,
            "intake_during_deletion": during,
            "p99_ratio": round(ratio, 2),
            "targets": {"rows_per_second": TARGET_ROWS_PER_SECOND, "p99_ratio_below": TARGET_P99_RATIO},
            "targets_met": rows_per_second >= TARGET_ROWS_PER_SECOND and ratio < TARGET_P99_RATIO and left == 0,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(f"""
retention benchmark ({ROWS:,} expired rows, {INTAKE_THREADS} intake threads)
  deleted            {result.rows:,} rows in {outcome['seconds']:.1f}s = {rows_per_second:,.0f} rows/s \
(target >= {TARGET_ROWS_PER_SECOND:,}); {history:,} moved to history, {left:,} expired left
  intake without     p50 {baseline['p50_ms']:.2f} ms  p99 {baseline['p99_ms']:.2f} ms  \
({baseline['writes_per_second']:,.0f} writes/s, {baseline['errors']} errors)
  intake during      p50 {during['p50_ms']:.2f} ms  p99 {during['p99_ms']:.2f} ms  \
({during['writes_per_second']:,.0f} writes/s, {during['errors']} errors)
  p99 ratio          {ratio:.2f}x (target < {TARGET_P99_RATIO:g}x)
  targets met        {report['targets_met']}
  written to         {RESULTS}""")
        intake_db.dispose()
        job_db.dispose()
        return 0 if report["targets_met"] else 1
    finally:
        drop_database(server, name)
        for embedded in stack:
            embedded.stop()


if __name__ == "__main__":
    raise SystemExit(main())
