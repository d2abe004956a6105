"""`make bench-sender`: SMS handed to a 100 ms provider per second by ONE sender process.

The same run measures one sender process twice, at SENDER_CONCURRENCY=1 and at the sender's default
concurrency, against the provider simulator answering every request after SIMULATOR_LATENCY_MS
(100 ms) with receipts switched off. For each phase it:

1. publishes one send envelope per pre-seeded `created` notification (bulk, before the sender starts);
2. starts `python -m notify_sender` exactly as `make run` does (notify_devstack.processes);
3. times the drain through the simulator's /_stats (polled with ?brief=true) from the first hand-over
   to the last, while sampling pg_stat_activity for the sender's connections (application_name
   "sender") to find the peak in use, compared with its DB_POOL_SIZE + DB_MAX_OVERFLOW;
4. checks that every notification was handed over exactly once and recorded as sent;
5. reports the sender's CPU time per notification and the machine's load average, because on a
   shared 2-CPU machine the rate also depends on what else is running.

The bus is kombu's Redis transport (BROKER_URL=redis://127.0.0.1:6379/<BENCH_REDIS_DB>), not moto
SQS: moto serves about 50 messages per second per queue, far below what is measured here. Queues
carry a unique prefix and are deleted at the end. The database is a throwaway one (created,
migrated, dropped at the end). Only 127.0.0.1 is contacted. Bounded: each phase has a deadline.
Prints the figures and writes bench/results/sender.json; exits 1 when the target is missed.
BENCH_SENDER_PROFILE=<path> records the sender with py-spy during the second phase (`pip install
py-spy` first; a .svg path gives a flame graph, anything else py-spy's raw collapsed stacks).
"""
from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis
import requests
from sqlalchemy import text

from notify_devstack.infra import LOCAL_PG, create_database, database_reachable, drop_database, free_port
from notify_devstack.processes import Ports, process_specs
from notify_shared import provisioning, queues
from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.migrate import upgrade
from notify_testkit.processes import ProcessGroup

MESSAGES = int(os.environ.get("BENCH_SENDER_MESSAGES", "6000"))
MESSAGES_AT_ONE = int(os.environ.get("BENCH_SENDER_MESSAGES_AT_CONCURRENCY_1", "120"))
LATENCY_MS = int(os.environ.get("SIMULATOR_LATENCY_MS", "100"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "15"))
PHASE_SECONDS = float(os.environ.get("BENCH_SENDER_PHASE_SECONDS", "60"))
# A py-spy flame graph of the sender during the default-concurrency phase, when a path is given.
PROFILE = os.environ.get("BENCH_SENDER_PROFILE", "")
TARGET_PER_SECOND = 300
TARGET_RATIO = 30
SECRET_KEY = "bench-sender-secret"
SENDER_APP = "sender"  # the sender's application_name in pg_stat_activity (WorkerProcess name)
RESULTS = Path(__file__).resolve().parent / "results" / "sender.json"

# Created SMS, as the API writes them: UK numbers, one template, the same (encrypted) personalisation.
SEED_SQL = text("""
INSERT INTO notifications (id, service_id, template_id, template_version, api_key_id, key_type, notification_type,
                           "to", normalised_to, personalisation, status, client_reference, created_at,
                           billable_units, international, phone_prefix, rate_multiplier, send_attempts)
SELECT gen_random_uuid(), :service_id, :template_id, 1, :api_key_id, 'normal', 'sms',
       '07700900' || lpad((i % 1000)::text, 3, '0'), '447700900' || lpad((i % 1000)::text, 3, '0'),
       :personalisation, 'created', :phase || '-' || i, now(), 0, false, '44', 1.0, 0
FROM generate_series(1, :count) AS i
""")
CONNECTIONS_SQL = text("""
SELECT count(*) AS total, count(*) FILTER (WHERE state <> 'idle') AS busy
FROM pg_stat_activity WHERE datname = :db AND application_name = :app
""")


@dataclass
class ConnectionSampler:
    """Polls pg_stat_activity every 50 ms on its own connection and keeps the peaks.

    The sender's connections stay open in its pool, so the peak of open ones is exact; busy ones are
    sampled. Polling faster would take CPU from the processes being measured.
    """

    db: Database
    database: str
    peak_open: int = 0
    peak_busy: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pg-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self.db.engine.connect() as conn:
            while not self._stop.wait(0.05):
                row = conn.execute(CONNECTIONS_SQL, {"db": self.database, "app": SENDER_APP}).one()
                conn.commit()
                self.peak_open = max(self.peak_open, row.total)
                self.peak_busy = max(self.peak_busy, row.busy)
                self.samples += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)


@dataclass
class Bench:
    server: str
    database: str
    database_url: str
    broker_url: str
    prefix: str
    ports: Ports
    workdir: Path
    db: Database
    bus: Bus
    service_id: uuid.UUID = uuid.UUID(int=0)
    template_id: uuid.UUID = uuid.UUID(int=0)
    api_key_id: uuid.UUID = uuid.UUID(int=0)

    @property
    def simulator(self) -> str:
        return f"http://127.0.0.1:{self.ports.simulator}"

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url, "BROKER_URL": self.broker_url,
            "NOTIFICATION_QUEUE_PREFIX": self.prefix, "SECRET_KEY": SECRET_KEY,
            # As in production: JSON logs at INFO, one line per hand-over.
            "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
            "SIMULATOR_LATENCY_MS": str(LATENCY_MS),
        }

    def seed(self, phase: str, count: int) -> list[str]:
        box = SecretBox(SECRET_KEY)
        with self.db.session() as session:
            session.execute(SEED_SQL, {
                "service_id": self.service_id, "template_id": self.template_id, "api_key_id": self.api_key_id,
                "personalisation": box.encrypt(json.dumps({"name": "Ada", "code": "123456"})), "phase": phase,
                "count": count})
            ids = session.execute(text("SELECT id FROM notifications WHERE client_reference LIKE :p ORDER BY id"),
                                  {"p": f"{phase}-%"}).scalars().all()
        return [str(i) for i in ids]

    def publish(self, ids: list[str]) -> float:
        started = time.monotonic()
        for n, notification_id in enumerate(ids):
            self.bus.publish(queues.SEND_SMS, Envelope(kind="send-sms", notification_id=notification_id,
                                                       request_id=f"bench-{n}"))
        return time.monotonic() - started

    def stats(self, brief: bool = True) -> dict:
        return requests.get(f"{self.simulator}/_stats", params={"brief": "true"} if brief else {}, timeout=10).json()

    def sent_rows(self, ids: list[str]) -> int:
        with self.db.session() as session:
            return session.scalar(text(
                "SELECT count(*) FROM notifications WHERE id = ANY(CAST(:ids AS uuid[])) AND sent_at IS NOT NULL"
                " AND status = 'sending' AND sent_by IS NOT NULL AND billable_units = 1"), {"ids": ids})


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phase(bench: Bench, group: ProcessGroup, label: str, ids: list[str], concurrency: str | None) -> dict:
    """Drain `ids` through one sender process and measure it."""
    publish_seconds = bench.publish(ids)
    requests.post(f"{bench.simulator}/_reset", timeout=5).raise_for_status()
    sampler = ConnectionSampler(bench.db, bench.database)
    sampler.start()
    spec = next(s for s in process_specs(bench.ports) if s.name == "sender")
    # An empty value means "the sender's default", whatever the calling shell exports.
    extra = {"SENDER_CONCURRENCY": concurrency or "", "SENDER_CONSUMERS_PER_QUEUE": ""}
    started = time.monotonic()
    running = group.start(spec, extra_env=extra)
    live_after = time.monotonic() - started
    simulator_pid = group.running["simulator"].proc.pid
    cpu_before = cpu_seconds(running.proc.pid), cpu_seconds(simulator_pid)
    load_before = os.getloadavg()[0]
    profiler = None
    if PROFILE and not concurrency:
        # --gil: sample the thread holding the GIL, so the profile shows CPU, not threads waiting on I/O.
        profiler = subprocess.Popen(["py-spy", "record", "-o", PROFILE, "-r", "200", "--gil",
                                     "-p", str(running.proc.pid),
                                     "-f", "flamegraph" if PROFILE.endswith(".svg") else "raw"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = last = None
    total = 0
    timeline: list[int] = []  # hand-overs so far, once a second from the first one
    deadline = time.monotonic() + PHASE_SECONDS
    while time.monotonic() < deadline:
        stats = bench.stats()
        now = time.monotonic()
        total = stats["total"]
        if total and first is None:
            first = now
        if first is not None and now - first >= len(timeline):
            timeline.append(total)
        if total >= len(ids):
            last = now
            break
        time.sleep(0.1)  # the drain takes seconds: 100 ms resolution, little load on the simulator
    sender_cpu = cpu_seconds(running.proc.pid) - cpu_before[0]
    simulator_cpu = cpu_seconds(simulator_pid) - cpu_before[1]
    load_after = os.getloadavg()[0]
    sampler.stop()
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(30)
    group.stop("sender")
    stats = bench.stats()
    recorded = bench.sent_rows(ids)
    elapsed = (last - first) if first and last else None
    # The first poll that saw a hand-over is up to one poll late: count from the second hand-over.
    rate = (len(ids) - 1) / elapsed if elapsed else 0.0
    health = _sender_settings(group)
    return {
        "label": label,
        "sender_concurrency": int(concurrency) if concurrency else health.get("concurrency"),
        "notifications": len(ids),
        "publish_seconds": round(publish_seconds, 2),
        "sender_live_after_seconds": round(live_after, 2),
        "handed_over": stats["total"],
        "distinct_ids": stats["distinct"],
        "most_hand_overs_for_one_id": stats["most_for_one_id"],
        "recorded_as_sent": recorded,
        "drain_seconds": round(elapsed, 3) if elapsed else None,
        "per_second": round(rate, 1),
        "db_connections_peak_open": sampler.peak_open,
        "db_connections_peak_busy": sampler.peak_busy,
        "db_pool_size": health.get("db_pool_size"),
        "db_max_overflow": health.get("db_max_overflow"),
        "pg_samples": sampler.samples,
        # CPU per notification tells capacity apart from what other work on the machine took.
        "sender_cpu_ms_per_notification": round(1000 * sender_cpu / len(ids), 3),
        "simulator_cpu_ms_per_notification": round(1000 * simulator_cpu / len(ids), 3),
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
        "finished": last is not None,
        "handed_over_by_second": timeline,
    }


def _sender_settings(group: ProcessGroup) -> dict:
    """Concurrency and pool size the sender logged at start (its own view of its configuration)."""
    found: dict = {}
    log_path = group.log_dir / "sender.log"
    for line in reversed(log_path.read_text(errors="replace").splitlines()):
        if '"sender_started"' in line or '"worker_started"' in line:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == "sender_started":
                found.setdefault("concurrency", entry["config"]["concurrency"])
            if entry.get("event") == "worker_started":
                found.setdefault("db_pool_size", entry["settings"]["db_pool_size"])
                found.setdefault("db_max_overflow", entry["settings"]["db_max_overflow"])
        if len(found) == 3:
            break
    return found


def provision(bench: Bench) -> None:
    box = SecretBox(SECRET_KEY)
    with bench.db.session() as session:
        service = provisioning.create_service(session, name="Bench sender service", restricted=False,
                                              permissions=["sms"])
        key = provisioning.create_api_key(session, box, service_id=service.id, name="bench", key_type="normal")
        template = provisioning.create_template(session, service_id=service.id, name="sms", template_type="sms",
                                                content="Hello ((name)), your code is ((code)).")
        bench.service_id, bench.template_id, bench.api_key_id = service.id, template.id, key.id


def clean_redis(prefix: str) -> int:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    removed = 0
    for key in client.scan_iter(f"*{prefix}*"):
        removed += client.delete(key)
    # kombu's exchange bindings (and their "permanent" copies) list every queue ever bound; a publish
    # reads the whole set, so queues left behind there would slow every later run.
    for key in client.scan_iter("_kombu.binding*"):
        for member in client.smembers(key):
            if prefix.encode() in member:
                client.srem(key, member)
    client.close()
    return removed


def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_SERVER_URL") or LOCAL_PG
    if not database_reachable(url):
        raise SystemExit(f"PostgreSQL is not reachable at {url}; set BENCH_DATABASE_SERVER_URL")
    return url


def main() -> int:
    started = time.monotonic()
    server = server_url()
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2).ping()
    name = f"notify_bench_sender_{uuid.uuid4().hex[:8]}"
    prefix = f"bench-sender-{uuid.uuid4().hex[:8]}-"
    broker_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    url = create_database(server, name)
    workdir = Path(tempfile.mkdtemp(prefix="notify-bench-sender-"))
    group: ProcessGroup | None = None
    try:
        upgrade(url)
        settings = Settings(**{**Settings.from_env("bench").__dict__, "database_url": url, "db_pool_size": 2,
                               "broker_url": broker_url, "queue_prefix": prefix, "secret_key": SECRET_KEY})
        db = Database(settings, application_name="bench-sender")
        bench = Bench(server, name, url, broker_url, prefix, Ports(simulator=free_port(), sender_health=free_port()),
                      workdir, db, Bus(settings))
        provision(bench)
        ids_at_one = bench.seed("c1", MESSAGES_AT_ONE)
        ids_default = bench.seed("cd", MESSAGES)
        group = ProcessGroup(workdir, bench.env())
        group.start(next(s for s in process_specs(bench.ports) if s.name == "simulator"))
        requests.post(f"{bench.simulator}/_config", json={"receipts_enabled": False, "latency_ms": LATENCY_MS},
                      timeout=5).raise_for_status()

        print(f"phase 1: {len(ids_at_one)} SMS, one sender at SENDER_CONCURRENCY=1", file=sys.stderr)
        at_one = run_phase(bench, group, "concurrency 1", ids_at_one, "1")
        print(f"phase 2: {len(ids_default)} SMS, one sender at its default concurrency", file=sys.stderr)
        at_default = run_phase(bench, group, "default concurrency", ids_default, None)

        ratio = at_default["per_second"] / at_one["per_second"] if at_one["per_second"] else 0.0
        pool_limit = (at_default["db_pool_size"] or 0) + (at_default["db_max_overflow"] or 0)
        exactly_once = all(p["distinct_ids"] == p["notifications"] == p["handed_over"] == p["recorded_as_sent"]
                           and p["most_hand_overs_for_one_id"] == 1 for p in (at_one, at_default))
        met = (at_default["per_second"] >= TARGET_PER_SECOND and ratio >= TARGET_RATIO
               and at_default["db_connections_peak_open"] <= pool_limit and exactly_once)
        report = {
            "benchmark": "sender",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "bus": f"kombu Redis transport ({broker_url}); moto SQS serves about 50 msg/s per queue",
            "provider": f"notify_simulator, {LATENCY_MS} ms latency per request, receipts off",
            "phases": [at_one, at_default],
            "speedup": round(ratio, 1),
            "exactly_once": exactly_once,
            "targets": {"per_second_at_default": TARGET_PER_SECOND, "speedup_at_least": TARGET_RATIO,
                        "db_connections_at_most": pool_limit},
            "targets_met": met,
            "seconds": round(time.monotonic() - started, 1),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(f"""
sender benchmark: one sender process, simulator at {LATENCY_MS} ms, bus = kombu Redis transport
  concurrency {at_one['sender_concurrency']:>3}   {at_one['per_second']:7.1f} SMS/s handed to the provider \
({at_one['notifications']} in {at_one['drain_seconds']}s); DB connections peak {at_one['db_connections_peak_open']} \
open / {at_one['db_connections_peak_busy']} busy, pool {at_one['db_pool_size']}+{at_one['db_max_overflow']}; \
sender CPU {at_one['sender_cpu_ms_per_notification']} ms/SMS
  concurrency {at_default['sender_concurrency']:>3}   {at_default['per_second']:7.1f} SMS/s handed to the provider \
({at_default['notifications']} in {at_default['drain_seconds']}s); DB connections peak \
{at_default['db_connections_peak_open']} open / {at_default['db_connections_peak_busy']} busy, pool \
{at_default['db_pool_size']}+{at_default['db_max_overflow']}; sender CPU \
{at_default['sender_cpu_ms_per_notification']} ms/SMS (default concurrency)
  machine load      1-minute load average {at_default['load_average_1m'][0]} -> {at_default['load_average_1m'][1]} \
on {os.cpu_count()} CPUs during the default-concurrency phase
  speed-up          {ratio:.1f}x (target >= {TARGET_RATIO}x); target >= {TARGET_PER_SECOND} SMS/s at default
  exactly once      {exactly_once} (every id handed over once and recorded as sent)
  targets met       {met}
  took              {report['seconds']}s; written to {RESULTS}""")
        db.dispose()
        bench.bus.close()
        return 0 if met else 1
    finally:
        if group is not None:
            group.stop_all()
        drop_database(server, name)
        clean_redis(prefix)


if __name__ == "__main__":
    raise SystemExit(main())
