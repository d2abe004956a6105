"""`make bench-receipts`: receipts accepted per second by the webhook, and applied per second by one worker.

Everything runs on 127.0.0.1 against a throwaway PostgreSQL database (created, migrated, seeded with
BENCH_RECEIPTS_NOTIFICATIONS `sending` notifications, dropped at the end). The bus is kombu's Redis
transport on the local Redis (redis://127.0.0.1:6379/BENCH_RECEIPTS_REDIS_DB): the SQS emulator (moto)
handles tens of messages a second and would measure itself, not us. Production uses SQS, whose
per-request latency is higher; these figures are for the code paths, not for SQS.

1. Webhook: the real status-receiver under gunicorn with its real config (WEB_CONCURRENCY=2,
   GUNICORN_THREADS=8 as the manifest sets, JSON logs at INFO to a file), loaded with MMG receipts by
   `wrk -t1` (or, without wrk, bench/receipts_load.py: asyncio on raw sockets in its own process).
   Baseline: a minimal Flask endpoint under the same gunicorn settings that only publishes
   (receipts_baseline_app.py). Both run side by side and are loaded in alternating rounds
   (BENCH_RECEIPTS_WEBHOOK_ROUNDS, BENCH_RECEIPTS_WEBHOOK_SECONDS in all for each), so a change in the
   machine's load touches both alike. Every accepted receipt must be on the queue afterwards
   (`published`). Each run also records the server's CPU per request (gunicorn master + workers, from
   /proc: the figure that depends least on the machine's load) and the load generator's CPU, as a share
   of one core: far below 1.0 means the client was waiting for the server, not limiting it.
2. Worker: the real receipts worker process (`python -m notify_status_receiver.receipts_worker`,
   batches of RECEIPT_BATCH_SIZE, 200 unless set, JSON logs at INFO) applying one receipt per seeded notification
   (MMG and Firetext by our id, SES by provider reference). Baseline: the shared one-at-a-time Consumer
   running one plain UPDATE per receipt in its own transaction, no batching. Rates come from the rows'
   updated_at span, so process start-up is not counted. The service has no callback configured, so
   neither side publishes callbacks.

Prints each figure with its target (webhook >= 1,000/s, worker >= 500/s) and its ratio to the baseline,
and writes bench/results/receipts.json. Bounded: each phase has a time limit; the whole run takes
about a minute and a half on a quiet machine, under three minutes on a busy one.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import post_closed_loop  # noqa: E402

from notify_devstack.infra import LOCAL_PG, create_database, drop_database, free_port
from notify_shared import provisioning, queues
from notify_shared.bus import Bus, Consumer
from notify_shared.config import Settings, normalise_database_url
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.logging import configure_logging
from notify_shared.migrate import upgrade
from notify_status_receiver.config import ReceiverConfig

NOTIFICATIONS = int(os.environ.get("BENCH_RECEIPTS_NOTIFICATIONS", "10000"))
WEBHOOK_SECONDS = float(os.environ.get("BENCH_RECEIPTS_WEBHOOK_SECONDS", "12"))  # each, over the rounds
WEBHOOK_ROUNDS = int(os.environ.get("BENCH_RECEIPTS_WEBHOOK_ROUNDS", "3"))
WORKER_MAX_SECONDS = float(os.environ.get("BENCH_RECEIPTS_WORKER_MAX_SECONDS", "30"))
# The baseline is slow by design; its rate is measured over what it applies in this time.
BASELINE_WORKER_SECONDS = float(os.environ.get("BENCH_RECEIPTS_BASELINE_WORKER_SECONDS", "15"))
REDIS_DB = int(os.environ.get("BENCH_RECEIPTS_REDIS_DB", "11"))
CONNECTIONS = int(os.environ.get("BENCH_RECEIPTS_CONNECTIONS", "32"))
LOAD_AT_START = os.getloadavg()
TARGET_WEBHOOK = 1_000
TARGET_WORKER = 500
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "receipts.json"
SECRET_KEY = "bench-secret-key-not-for-production"

SEED_SQL = text("""
INSERT INTO notifications (id, service_id, template_id, template_version, key_type, notification_type, "to",
                           normalised_to, status, reference, client_reference, created_at, sent_at, billable_units,
                           international, send_attempts)
SELECT gen_random_uuid(), :service_id, CASE WHEN i % 10 = 0 THEN :email_template ELSE :sms_template END, 1, 'normal',
       CASE WHEN i % 10 = 0 THEN 'email' ELSE 'sms' END,
       CASE WHEN i % 10 = 0 THEN 'person' || i || '@example.com' ELSE '07700900' || lpad((i % 1000)::text, 3, '0') END,
       CASE WHEN i % 10 = 0 THEN 'person' || i || '@example.com' ELSE '447700900' || lpad((i % 1000)::text, 3, '0') END,
       'sending', CASE WHEN i % 10 = 0 THEN 'ses-bench-' || i END, 'client-' || i,
       now() - interval '1 minute', now() - interval '50 seconds', 1, false, 1
FROM generate_series(1, :rows) AS i
""")

MMG_RECEIPT = {"reference": "mmg-ref", "CID": "2b0c7f5e-3f4e-4a8e-9d59-1f4cf2d2a001", "MSISDN": "447700900123",
               "status": "3", "substatus": "2", "deliverytime": "2026-05-01 12:00:00"}


@dataclass
class Figure:
    name: str
    per_second: float
    target: float | None
    baseline_per_second: float | None = None
    detail: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return round(self.per_second / self.baseline_per_second, 2) if self.baseline_per_second else None

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.per_second >= self.target


class Stack:
    """The throwaway database, the Redis queues and the processes of one run; cleaned up on exit."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.server_url = os.environ.get("DATABASE_URL") or LOCAL_PG
        self.db_name = f"notify_bench_receipts_{uuid.uuid4().hex[:8]}"
        self.prefix = f"bench{uuid.uuid4().hex[:8]}-"
        self.broker_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        self.database_url = ""
        self.processes: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": self.database_url, "BROKER_URL": self.broker_url, "NOTIFICATION_QUEUE_PREFIX": self.prefix,
            "SECRET_KEY": SECRET_KEY, "NOTIFY_ENVIRONMENT": "development", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
            "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "8",
            **{k: os.environ[k] for k in ("RECEIPT_BATCH_SIZE", "RECEIPT_BATCH_WAIT_MS") if k in os.environ},
            **extra,
        }

    def settings(self) -> Settings:
        os.environ.update({"DATABASE_URL": self.database_url, "BROKER_URL": self.broker_url,
                           "NOTIFICATION_QUEUE_PREFIX": self.prefix, "SECRET_KEY": SECRET_KEY})
        return Settings.from_env("bench-receipts")

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process group
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=ROOT)
        self.processes.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def redis(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)

    def purge(self, *, bindings: bool = False) -> None:
        """Empty this run's queues; with `bindings`, forget them too (processes that declared them must be gone)."""
        client = self.redis()
        keys = list(client.scan_iter(f"{self.prefix}*"))
        if keys:
            client.delete(*keys)
        if not bindings:
            return
        for binding in client.scan_iter("_kombu.binding*"):
            members = [m for m in client.smembers(binding) if self.prefix.encode() in m]
            if members:
                client.srem(binding, *members)

    def close(self) -> None:
        for proc in self.processes:
            self.stop(proc)
        try:
            self.purge(bindings=True)
        finally:
            drop_database(self.server_url, self.db_name)


def seed(stack: Stack) -> tuple[Database, list[Envelope]]:
    stack.database_url = create_database(stack.server_url, stack.db_name)
    upgrade(stack.database_url)
    db = Database(stack.settings(), pool_size=2)
    with db.session() as session:
        service = provisioning.create_service(session, name="Receipts bench", restricted=False)
        sms = provisioning.create_template(session, service_id=service.id, name="sms", template_type="sms",
                                           content="Your code is ((code)).")
        email = provisioning.create_template(session, service_id=service.id, name="email", template_type="email",
                                             subject="Hello", content="Hello")
        session.execute(SEED_SQL, {"service_id": service.id, "sms_template": sms.id, "email_template": email.id,
                                   "rows": NOTIFICATIONS})
        rows = session.execute(text("SELECT id, notification_type, reference FROM notifications ORDER BY id")).all()
    vacuum(stack)
    receipts = []
    for i, (notification_id, notification_type, reference) in enumerate(rows):
        if notification_type == "email":
            payload = {"provider": "ses", "reference": reference, "event_type": "Delivery"}
            receipts.append(Envelope(kind="ses-receipt", payload=payload))
        elif i % 2:
            payload = {"provider": "mmg", "reference": str(notification_id), "status": "3", "substatus": "2"}
            receipts.append(Envelope(kind="sms-receipt", notification_id=str(notification_id), payload=payload))
        else:
            payload = {"provider": "firetext", "reference": str(notification_id), "status": "0"}
            receipts.append(Envelope(kind="sms-receipt", notification_id=str(notification_id), payload=payload))
    return db, receipts


def vacuum(stack: Stack) -> None:
    engine = create_engine(normalise_database_url(stack.database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE notifications"))
    engine.dispose()


# ---------------------------------------------------------------------------------------------- webhook

def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children alive now (a gunicorn master and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for p in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def start_webhook(stack: Stack, name: str, app: str, prefix: str, extra_env: dict[str, str]) -> tuple[object, str]:
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:notify_status_receiver.gunicorn_config", app]
    proc = stack.start(name, argv, stack.env(PORT=str(port), NOTIFICATION_QUEUE_PREFIX=prefix, **extra_env))
    url = f"http://127.0.0.1:{port}/notifications/sms/mmg"
    deadline = time.monotonic() + 30
    while True:  # ready when a receipt is accepted
        try:
            if requests.post(url, json=MMG_RECEIPT, timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"{name} did not start; see {stack.workdir / (name + '.log')}")
        time.sleep(0.2)


def load(url: str, seconds: float, workdir: Path, server_pid: int) -> dict:
    """One closed-loop run, with the CPU the server and the load generator each spent on it.

    On two cores the client takes CPU the server could use, so both are recorded: the server's CPU per
    request is the figure that depends least on the machine's load, and the client's share of a core
    shows whether it, not the server, was the limit (wrk -t1 is one thread: near 1.0 it would be).
    """
    server_before = cpu_seconds(server_pid)
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = post_closed_loop(url, json.dumps(MMG_RECEIPT), connections=CONNECTIONS, seconds=max(1, round(seconds)),
                           threads=1, workdir=workdir)
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run["server_cpu_seconds"] = round(cpu_seconds(server_pid) - server_before, 3)
    run["client_cpu_seconds"] = round((client_after.ru_utime + client_after.ru_stime)
                                      - (client_before.ru_utime + client_before.ru_stime), 3)
    return run


def add_up(runs: list[dict]) -> dict:
    total = {"client": runs[0]["client"], "rounds": len(runs)}
    for key in ("requests", "accepted", "non_2xx", "seconds", "server_cpu_seconds", "client_cpu_seconds"):
        total[key] = round(sum(run[key] for run in runs), 3)
    total["p99_ms"] = [run.get("p99_ms") for run in runs]
    answered = max(1, total["requests"])
    total["server_cpu_ms_per_request"] = round(1000 * total["server_cpu_seconds"] / answered, 3)
    total["client_cpu_ms_per_request"] = round(1000 * total["client_cpu_seconds"] / answered, 3)
    # Fraction of one core the load generator used: far below 1, it was waiting for the server.
    total["client_core_share"] = round(total["client_cpu_seconds"] / max(total["seconds"], 0.001), 2)
    return total


def measure_webhooks(stack: Stack) -> tuple[dict, dict]:
    """The real webhook and the baseline, loaded in alternating rounds so both see the same machine."""
    real_prefix, base_prefix = f"{stack.prefix}real-", f"{stack.prefix}base-"
    real, real_url = start_webhook(stack, "status-receiver", "notify_status_receiver.wsgi:application",
                                   real_prefix, {})
    base, base_url = start_webhook(stack, "baseline-webhook", "receipts_baseline_app:application", base_prefix,
                                   {"PYTHONPATH": str(ROOT / "bench")})
    try:
        for url, proc in ((real_url, real), (base_url, base)):
            load(url, 2, stack.workdir, proc.pid)  # warm-up: connections, producers, declared queues
        stack.purge()
        rounds = max(1, WEBHOOK_ROUNDS)
        real_runs, base_runs = [], []
        for _ in range(rounds):
            real_runs.append(load(real_url, WEBHOOK_SECONDS / rounds, stack.workdir, real.pid))
            base_runs.append(load(base_url, WEBHOOK_SECONDS / rounds, stack.workdir, base.pid))
    finally:
        stack.stop(real)
        stack.stop(base)
    results = []
    for runs, prefix in ((real_runs, real_prefix), (base_runs, base_prefix)):
        result = add_up(runs)
        result["published"] = int(stack.redis().llen(f"{prefix}{queues.DELIVERY_RECEIPTS}"))
        result["per_second"] = round(result["accepted"] / result["seconds"], 1)
        results.append(result)
    stack.purge()
    return results[0], results[1]


# ----------------------------------------------------------------------------------------------- worker

def publish_all(stack: Stack, receipts: list[Envelope]) -> None:
    bus = Bus(stack.settings())
    try:
        for envelope in receipts:
            bus.publish(queues.DELIVERY_RECEIPTS, envelope)
    finally:
        bus.close()


def reset_notifications(stack: Stack, db: Database) -> None:
    stack.purge()  # what the baseline did not get to
    with db.session() as session:
        session.execute(text("UPDATE notifications SET status = 'sending', updated_at = NULL, completed_at = NULL,"
                             " sent_by = NULL"))
    vacuum(stack)


def wait_applied(db: Database, expected: int, max_seconds: float) -> dict:
    deadline = time.monotonic() + max_seconds
    while True:
        with db.session() as session:
            applied, first, last = session.execute(text(
                "SELECT count(*) FILTER (WHERE status <> 'sending'), min(updated_at), max(updated_at)"
                " FROM notifications")).one()
        if applied >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    span = (last - first).total_seconds() if first and last else 0.0
    return {"applied": applied, "expected": expected, "seconds": round(span, 3),
            "per_second": round(applied / span, 1) if span > 0 else 0.0, "completed": applied >= expected}


def measure_worker(stack: Stack, db: Database, receipts: list[Envelope]) -> dict:
    publish_all(stack, receipts)
    proc = stack.start("receipts-worker", [sys.executable, "-m", "notify_status_receiver.receipts_worker"],
                       stack.env(HEALTH_PORT=str(free_port())))
    try:
        result = wait_applied(db, len(receipts), WORKER_MAX_SECONDS)
    finally:
        stack.stop(proc)
    with db.session() as session:
        counts = session.execute(text("SELECT status, count(*) FROM notifications GROUP BY status")).all()
    result["statuses"] = dict(counts)
    result["batch_size"] = int(os.environ.get("RECEIPT_BATCH_SIZE") or ReceiverConfig.receipt_batch_size)
    return result


PLAIN_UPDATE = text("""
UPDATE notifications SET status = :status, updated_at = now(), completed_at = now(), sent_by = :provider
WHERE (id = :id OR reference = :reference) AND status IN ('sending', 'pending')
""")


def measure_baseline_worker(stack: Stack, db: Database, receipts: list[Envelope]) -> dict:
    """One message at a time, one UPDATE per receipt in its own transaction: what batching is measured against."""
    publish_all(stack, receipts)
    bus = Bus(stack.settings())

    def apply(envelope: Envelope) -> None:
        payload = envelope.payload
        with db.session() as session:
            session.execute(PLAIN_UPDATE, {"status": "delivered", "provider": payload["provider"],
                                           "id": envelope.notification_id or str(uuid.UUID(int=0)),
                                           "reference": payload["reference"]})

    consumer = Consumer(bus, [queues.DELIVERY_RECEIPTS], apply)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        return wait_applied(db, len(receipts), BASELINE_WORKER_SECONDS)
    finally:
        consumer.stop()
        thread.join(10)
        bus.close()


# ------------------------------------------------------------------------------------------------ report

def report(figures: list[Figure], started: float) -> None:
    print(f"receipts benchmark: broker kombu Redis transport redis://127.0.0.1:6379/{REDIS_DB} "
          "(moto's SQS emulator is too slow to measure), PostgreSQL on 127.0.0.1, "
          f"{NOTIFICATIONS:,} notifications seeded, {os.cpu_count()} CPUs, load average "
          f"{LOAD_AT_START[0]:.1f} at start and {os.getloadavg()[0]:.1f} at end")
    for f in figures:
        verdict = "PASS" if f.passed else "FAIL"
        print(f"  {f.name:<8} {f.per_second:>9,.0f} receipts/s   target >= {f.target:,.0f}  {verdict}   "
              f"baseline {f.baseline_per_second:,.0f}/s ({f.detail['baseline']})   ratio {f.ratio}")
        run, base = f.detail["run"], f.detail["baseline_run"]
        if "server_cpu_ms_per_request" in run:
            print(f"           server CPU per request {run['server_cpu_ms_per_request']:.2f} ms "
                  f"(baseline {base['server_cpu_ms_per_request']:.2f} ms); load generator {run['client']}: "
                  f"{run['client_cpu_ms_per_request']:.3f} ms per request, {run['client_core_share']:.2f} "
                  f"(baseline runs {base['client_core_share']:.2f}) of one core")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "receipts",
        "when": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - started, 1),
        "broker": f"kombu Redis transport (redis://127.0.0.1:6379/{REDIS_DB}); moto SQS is too slow to measure",
        "notifications": NOTIFICATIONS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    # Other work on the machine moves these figures: the load average says how much there was.
                    "load_average_at_start": LOAD_AT_START, "load_average_at_end": os.getloadavg()},
        "figures": [{**asdict(f), "ratio": f.ratio, "passed": f.passed} for f in figures],
    }, indent=2, default=str) + "\n")
    print(f"  results written to {RESULTS.relative_to(ROOT)}")


def main() -> int:
    started = time.monotonic()
    configure_logging("bench-receipts", "console", "WARNING")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        print(f"bench-receipts needs Redis on 127.0.0.1:6379 ({exc})", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-receipts-") as workdir:
        stack = Stack(Path(workdir))
        try:
            db, receipts = seed(stack)
            webhook, webhook_base = measure_webhooks(stack)
            worker_base = measure_baseline_worker(stack, db, receipts)
            reset_notifications(stack, db)
            worker = measure_worker(stack, db, receipts)
            db.dispose()
        finally:
            stack.close()
    figures = [
        Figure("webhook", webhook["per_second"], TARGET_WEBHOOK, webhook_base["per_second"],
               {"baseline": "Flask endpoint that only publishes", "run": webhook, "baseline_run": webhook_base}),
        Figure("worker", worker["per_second"], TARGET_WORKER, worker_base["per_second"],
               {"baseline": "one UPDATE per receipt, no batching", "run": worker, "baseline_run": worker_base}),
    ]
    report(figures, started)
    complete = worker["completed"] and webhook["published"] >= webhook["accepted"]
    if not complete:
        print("  warning: not every receipt was applied or published; see the JSON", file=sys.stderr)
    return 0 if all(f.passed for f in figures) and complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
