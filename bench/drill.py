"""The incident drill (`make drill`): would a platform kill a healthy API instance during a spike?

The incident (issue 4): during a spike, slow requests held every database connection, later requests
queued inside gunicorn, the platform's liveness probe queued behind them and missed its 1 s timeout,
and Cloud Foundry killed an instance that was healthy and serving, 5xx-ing everything it held.

This drill reproduces it against the real API, started exactly as deploy/api/manifest.yml configures
it (same command, same env: workers, threads, pool, timeouts, bulkheads), with real PostgreSQL (a
throwaway database) and Redis as the broker (redis://127.0.0.1:6379, for speed: the SQS emulator is
far too slow for a spike; the publish path is the same kombu code). Everything talks over 127.0.0.1.

For --seconds (30) it fires --rate requests a second (open loop, several times what the instance can
complete under this mix): a --listing-share of them are GET /v2/notifications listings, and the drill
holds an ACCESS EXCLUSIVE lock on templates_history from a side connection (3 s on, 0.25 s off), so
every listing waits seconds for its query while holding a pooled connection, as the incident's slow
dashboard queries did. The rest are POST /v2/notifications/sms, which never touch that table.
Meanwhile a separate process probes liveness exactly as CF would (manifest endpoint, interval and
invocation timeout), plus a dense probe every 100 ms for latency percentiles.

It runs twice in the same invocation, printing both side by side:
  naive  the same manifest with the two drill-only switches off: plain gthread (probes queue behind
         the request threads, health answered by the WSGI middleware only) and no load shedding
  ours   the manifest as deployed: probes answered on the worker's event loop, bulkheads on
and writes bench/results/drill.json.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import redis
import yaml
from sqlalchemy import text
from sqlalchemy.engine import make_url

from notify_devstack.check_deploy import interpolate
from notify_devstack.infra import (
    LOCAL_PG,
    EmbeddedPostgres,
    create_database,
    database_reachable,
    drop_database,
    free_port,
    wait_for_http,
)
from notify_devstack.processes import Ports, process_specs
from notify_shared import provisioning
from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drill_traffic import Call, Tokens, run_probers, run_spike  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "drill.json"
SECRET_KEY = "drill-secret-key-not-for-production"
LOCKED_TABLE = "templates_history"
MODES = {
    "naive": {"API_SHED_LOAD": "false", "GUNICORN_PROBE_FAST_PATH": "false"},
    "ours": {},
}


# ------------------------------------------------------------------ the manifest


@dataclass(frozen=True)
class Manifest:
    env: dict[str, str]
    endpoint: str
    invocation_timeout: int
    interval: int


def load_api_manifest(environment: str = "production") -> Manifest:
    """The API's web process as CF would run it in `environment` (vars interpolated)."""
    values = yaml.safe_load((ROOT / "deploy" / "vars" / f"{environment}.yml").read_text())
    missing: set[str] = set()
    manifest = interpolate(yaml.safe_load((ROOT / "deploy" / "api" / "manifest.yml").read_text()), values, missing)
    app = manifest["applications"][0]
    web = next(p for p in app["processes"] if p["type"] == "web")
    return Manifest(env={k: str(v) for k, v in app["env"].items()}, endpoint=web["health-check-http-endpoint"],
                    invocation_timeout=web["health-check-invocation-timeout"], interval=web["health-check-interval"])


# ------------------------------------------------------------------ infrastructure


@dataclass
class Infra:
    server_url: str
    database_name: str
    database_url: str
    broker_url: str
    queue_prefix: str
    embedded: EmbeddedPostgres | None = None

    def close(self) -> None:
        drop_database(self.server_url, self.database_name)
        if self.embedded is not None:
            self.embedded.stop()
        client = redis.Redis.from_url(self.broker_url)
        for key in client.scan_iter(f"*{self.queue_prefix}*"):
            client.delete(key)


def start_infra(redis_db: int, workdir: Path) -> Infra:
    embedded = None
    server = os.environ.get("DATABASE_URL") or (LOCAL_PG if database_reachable(LOCAL_PG) else None)
    if server is None:
        embedded = EmbeddedPostgres(workdir / "pgdata")
        server = embedded.start()
    name = f"notify_drill_{uuid.uuid4().hex[:8]}"
    url = create_database(server, name)
    upgrade(url)
    broker = f"redis://127.0.0.1:6379/{redis_db}"
    redis.Redis.from_url(broker, socket_connect_timeout=2).ping()
    return Infra(server, name, url, broker, f"drill{uuid.uuid4().hex[:6]}-", embedded)


@dataclass(frozen=True)
class DrillService:
    api_key: str
    template_id: str


def provision(database_url: str) -> DrillService:
    db = Database(Settings(database_url=database_url))
    try:
        with db.session() as session:
            # A service with room for the spike: the drill is about capacity, not Notify's per-key limits.
            service = provisioning.create_service(session, name="Drill service", restricted=False,
                                                  permissions=["sms", "email"], rate_limit=10_000_000,
                                                  sms_message_limit=10_000_000)
            key = provisioning.create_api_key(session, SecretBox(SECRET_KEY), service_id=service.id, name="drill")
            template = provisioning.create_template(session, service_id=service.id, name="drill",
                                                    template_type="sms", content="Hello ((name)), code ((code)).")
        return DrillService(key.key, str(template.id))
    finally:
        db.dispose()


def connect(database_url: str, application_name: str):
    """A plain psycopg2 connection, outside any pool the API could see."""
    url = make_url(database_url)
    dsn = dict(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, password=url.password)
    return psycopg2.connect(**{k: v for k, v in dsn.items() if v is not None}, application_name=application_name)


class TableLocker:
    """Holds an ACCESS EXCLUSIVE lock on a table from a side connection, on and off, until stopped."""

    def __init__(self, database_url: str, table: str, hold: float, gap: float):
        self.database_url = database_url
        self.table, self.hold, self.gap = table, hold, gap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="locker", daemon=True)
        self.cycles = 0

    def start(self) -> TableLocker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        conn = connect(self.database_url, "drill-locker")
        try:
            while not self._stop.is_set():
                with conn.cursor() as cur:
                    cur.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
                self._stop.wait(self.hold)
                conn.commit()
                self.cycles += 1
                self._stop.wait(self.gap)
        finally:
            conn.rollback()
            conn.close()


# ------------------------------------------------------------------ how busy the machine was


def _jiffies(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


class CpuMeter:
    """Machine CPU over the spike: the API under test (gunicorn plus its PostgreSQL backends), the drill's
    own client and prober, and everything else.

    The machine is shared: other tenants' work competes with the API for the two cores, so every run
    records how much of the machine was not the drill's.
    """

    def __init__(self, api_pid: int, drill_pids: list[int], database_url: str):
        self.api_pid, self.drill_pids, self.database = api_pid, drill_pids, make_url(database_url).database
        self.database_url = database_url

    def _backends(self) -> list[int]:
        conn = connect(self.database_url, "drill-meter")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name LIKE 'api%%'",
                            (self.database,))
                return [row[0] for row in cur.fetchall()]
        finally:
            conn.close()

    def _sample(self) -> tuple[list[int], dict[int, int], dict[int, int]]:
        cpu = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        api = {p: _jiffies(p) for p in [self.api_pid, *_children(self.api_pid), *self._backends()]}
        drill = {p: _jiffies(p) for p in self.drill_pids}
        return cpu, api, drill

    def start(self) -> CpuMeter:
        self._before = self._sample()
        self._load_before = os.getloadavg()[0]
        return self

    def stop(self) -> dict[str, float]:
        (cpu0, api0, drill0), (cpu1, api1, drill1) = self._before, self._sample()
        total = sum(cpu1) - sum(cpu0)
        busy = total - (cpu1[3] - cpu0[3]) - (cpu1[4] - cpu0[4])  # minus idle and iowait
        api = sum(j - api0.get(p, 0) for p, j in api1.items())
        drill = sum(j - drill0.get(p, 0) for p, j in drill1.items())

        def share(jiffies: int) -> float:
            return round(100.0 * jiffies / total, 1) if total else 0.0

        return {"machine_busy_pct": share(busy), "api_pct": share(api), "drill_client_pct": share(drill),
                "everything_else_pct": share(max(0, busy - api - drill)),
                "load_average_1m_before": round(self._load_before, 2),
                "load_average_1m_after": round(os.getloadavg()[0], 2)}


# ------------------------------------------------------------------ the API under test


class ApiProcess:
    def __init__(self, mode: str, manifest: Manifest, infra: Infra, logdir: Path):
        self.port = free_port()
        spec = next(s for s in process_specs(Ports(api=self.port)) if s.name == "api")
        self.env = {
            **os.environ, **manifest.env, **spec.env, **MODES[mode],
            "HOST": "127.0.0.1",  # the drill's traffic never leaves this machine
            "DATABASE_URL": infra.database_url, "BROKER_URL": infra.broker_url, "REDIS_URL": infra.broker_url,
            "NOTIFICATION_QUEUE_PREFIX": infra.queue_prefix, "SECRET_KEY": SECRET_KEY,
            "NOTIFY_SERVICE_NAME": "api", "NOTIFY_ENVIRONMENT": f"drill-{mode}", "LOG_LEVEL": "INFO",
        }
        self.log_path = logdir / f"api-{mode}.log"
        self.argv = spec.argv
        self.proc: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_for_http(f"{self.origin}/_status/live", timeout=40)
        wait_for_http(f"{self.origin}/_status/ready", timeout=20)

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.origin}/metrics", timeout=10) as response:
            return response.read().decode()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            # The naive run can still have a long queue: the drill does not wait out its graceful timeout.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def metric_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(3))
    return total


def slower_than(text: str, histogram: str, le: str, **labels: str) -> str:
    """"N of M": how many observations of a histogram exceeded the bucket `le`."""
    count = metric_total(text, f"{histogram}_count", **labels)
    if not count:
        return "-"  # not measured: plain gthread has no timestamps
    return f"{count - metric_total(text, f'{histogram}_bucket', le=le, **labels):g} of {count:g}"


# ------------------------------------------------------------------ one run


@dataclass
class RunResult:
    mode: str
    probes: dict[str, list[dict]]
    calls: list[Call]
    persisted: set[str]
    server: dict[str, float]
    lock_cycles: int
    wall_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def run_mode(mode: str, args: argparse.Namespace, manifest: Manifest, infra: Infra, service: DrillService,
             logdir: Path) -> RunResult:
    started = time.monotonic()
    api = ApiProcess(mode, manifest, infra, logdir)
    api.start()
    tokens = Tokens(service.api_key)
    reference = f"drill-{mode}-"

    def send_body(index: int) -> dict:
        return {"phone_number": "07700900456", "template_id": service.template_id, "reference": f"{reference}{index}",
                "personalisation": {"name": "Drill", "code": str(index)}}

    listing_path = "/v2/notifications?reference=dashboard-report"
    try:
        # Warm-up: pooled connections, the credentials cache and the bus connection, as a live instance has.
        # Its sends carry the dashboard's reference, so the spike's listings have rows whose templates they
        # must read from templates_history (an empty page never touches that table).
        run_spike("127.0.0.1", api.port, rate=20, seconds=1, listing_share=0.3, timeout=10, tokens=tokens,
                  send_body=lambda i: {**send_body(i), "reference": "dashboard-report"}, listing_path=listing_path,
                  seed=1)
        context = multiprocessing.get_context("spawn")
        window, probe_results = context.Queue(), context.Queue()
        schedules = {
            "platform": (float(manifest.interval), min(2.0, manifest.interval / 2)),
            "dense": (args.dense_interval, 0.05),
        }
        prober = context.Process(target=run_probers, args=(
            "127.0.0.1", api.port, manifest.endpoint, float(manifest.invocation_timeout), schedules, window,
            probe_results))
        prober.start()
        assert probe_results.get(timeout=60) == "ready"
        locker = TableLocker(infra.database_url, LOCKED_TABLE, args.lock_hold, args.lock_gap).start()
        time.sleep(0.2)
        spike_start = time.time()
        meter = CpuMeter(api.proc.pid, [os.getpid(), prober.pid], infra.database_url).start()
        window.put((spike_start, spike_start + args.seconds))
        calls = run_spike("127.0.0.1", api.port, rate=args.rate, seconds=args.seconds,
                          listing_share=args.listing_share, timeout=args.client_timeout, tokens=tokens,
                          send_body=send_body, listing_path=listing_path, seed=42)
        machine = meter.stop()
        probes = probe_results.get(timeout=60)
        prober.join(10)
        locker.stop()
        text_metrics = api.metrics()
    finally:
        api.stop()
    server = {
        "shed_all": metric_total(text_metrics, "notify_http_shed_requests_total", bulkhead="all"),
        "shed_slow_reads": metric_total(text_metrics, "notify_http_shed_requests_total", bulkhead="slow_reads"),
        "pool_timeouts": metric_total(text_metrics, "notify_db_pool_timeouts_total", pool="api"),
        "probes_on_event_loop": metric_total(text_metrics, "notify_probe_seconds_count", via="event-loop"),
        # Time inside the worker from reading the probe to sending the answer (the rest of what the prober
        # measures is waiting for the worker's event loop to run at all).
        "in_worker_probes_over_5ms": metric_total(text_metrics, "notify_probe_seconds_count", via="event-loop")
        - metric_total(text_metrics, "notify_probe_seconds_bucket", via="event-loop", le="0.005"),
        # How long arrived requests waited for the worker's event loop to read them (kernel timestamps).
        "event_loop_lag_over_50ms": {kind: slower_than(text_metrics, "notify_event_loop_lag_seconds", "0.05", kind=kind)
                                     for kind in ("probe", "request")},
    }
    db = Database(Settings(database_url=infra.database_url))
    try:
        with db.session() as session:
            rows = session.execute(text("SELECT id FROM notifications WHERE client_reference LIKE :p"),
                                   {"p": f"{reference}%"}).scalars()
            persisted = {str(row) for row in rows}
    finally:
        db.dispose()
    return RunResult(mode, probes, calls, persisted, server, locker.cycles, time.monotonic() - started,
                     {"machine": machine})


# ------------------------------------------------------------------ report


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(run: RunResult, args: argparse.Namespace) -> dict[str, Any]:
    def probe_stats(results: list[dict]) -> dict[str, Any]:
        latencies = [r["latency"] * 1000 for r in results]
        failed = [r for r in results if not r["ok"]]
        return {
            "count": len(results), "failed": len(failed),
            "p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies) if latencies else float("nan"),
            "first_failure_at_s": failed[0]["at"] if failed else None,
            "failures_by_kind": dict(Counter(r["detail"] for r in failed)),
        }

    platform, dense = probe_stats(run.probes["platform"]), probe_stats(run.probes["dense"])
    outcomes = Counter(call.outcome for call in run.calls)
    by_kind = {kind: dict(Counter(c.outcome for c in run.calls if c.kind == kind)) for kind in ("send", "list")}
    refusals = [c for c in run.calls if c.outcome in ("429", "503")]
    accepted = {c.notification_id for c in run.calls if c.outcome == "201" and c.notification_id}
    answered = [c.latency * 1000 for c in run.calls if c.outcome.isdigit()]
    completed = sum(1 for c in run.calls if c.outcome.isdigit() and c.latency <= args.client_timeout)
    return {
        "mode": run.mode,
        "liveness_platform": platform,
        "liveness_dense": dense,
        # CF's liveness check has no failure threshold: the first failed probe crashes the instance. A
        # failed dense probe is a moment when a platform probe landing there would have done so.
        "platform_would_kill": platform["failed"] > 0 or dense["failed"] > 0,
        "client_outcomes": dict(sorted(outcomes.items())),
        "client_outcomes_by_kind": by_kind,
        "refusals_without_retry_after": sum(1 for c in refusals if not c.retry_after),
        "refusals_not_in_notify_shape": sum(1 for c in refusals if not c.notify_envelope),
        "answered_latency_ms": {"p50": percentile(answered, 0.5), "p99": percentile(answered, 0.99),
                                "max": max(answered) if answered else float("nan")},
        "answered_per_second": completed / args.seconds,
        "accepted": len(accepted),
        "persisted": len(run.persisted),
        "accepted_but_not_persisted": len(accepted - run.persisted),
        "persisted_but_client_not_told": len(run.persisted - accepted),
        "server": run.server,
        "lock_cycles": run.lock_cycles,
        "wall_seconds": round(run.wall_seconds, 1),
        "machine": run.extra["machine"],
    }


def print_report(summaries: list[dict[str, Any]], args: argparse.Namespace, manifest: Manifest) -> None:
    env = manifest.env
    print()
    print(f"Incident drill: {args.rate:g} req/s for {args.seconds:g} s, {args.listing_share:.0%} of them listings "
          f"held by a lock on {LOCKED_TABLE} ({args.lock_hold:g} s on / {args.lock_gap:g} s off)")
    print(f"API as deploy/api/manifest.yml runs it: {env.get('GUNICORN_WORKERS')} workers x "
          f"{env.get('GUNICORN_THREADS')} threads, pool {env.get('DB_POOL_SIZE')} (+{env.get('DB_MAX_OVERFLOW')}), "
          f"pool timeout {env.get('DB_POOL_TIMEOUT_SECONDS')} s, bulkheads {env.get('API_MAX_IN_FLIGHT')} in flight / "
          f"{env.get('API_MAX_SLOW_READS')} slow reads per worker")
    print(f"Liveness probe as CF makes it: GET {manifest.endpoint} every {manifest.interval} s, "
          f"{manifest.invocation_timeout} s invocation timeout; plus a dense probe every "
          f"{args.dense_interval * 1000:g} ms. Broker: Redis (127.0.0.1:6379/{args.redis_db}); PostgreSQL: "
          f"throwaway database. Client timeout {args.client_timeout:g} s.")
    modes = [s["mode"] for s in summaries]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, values: list[Any]) -> None:
        rows.append((label, [str(v) for v in values]))

    def ms(value: float) -> str:
        return f"{value:.1f}"

    row("LIVENESS, platform cadence", ["" for _ in summaries])
    row("  probes / failed", [f"{s['liveness_platform']['count']} / {s['liveness_platform']['failed']}"
                              for s in summaries])
    row("LIVENESS, dense", ["" for _ in summaries])
    row("  probes / failed", [f"{s['liveness_dense']['count']} / {s['liveness_dense']['failed']}" for s in summaries])
    row("  p50 / p99 / max ms", [f"{ms(s['liveness_dense']['p50_ms'])} / {ms(s['liveness_dense']['p99_ms'])} / "
                                 f"{ms(s['liveness_dense']['max_ms'])}" for s in summaries])
    row("  first failure at", [f"{s['liveness_dense']['first_failure_at_s']} s"
                               if s['liveness_dense']['first_failure_at_s'] is not None else "-" for s in summaries])
    row("PLATFORM WOULD", ["KILL the instance" if s["platform_would_kill"] else "keep the instance" for s in summaries])
    row("CLIENTS", ["" for _ in summaries])
    outcomes = sorted({o for s in summaries for o in s["client_outcomes"]}, key=lambda o: (not o.isdigit(), o))
    for outcome in outcomes:
        label = {"timeout": f"timeout (> {args.client_timeout:g} s)"}.get(outcome, outcome)
        row(f"  {label}", [s["client_outcomes"].get(outcome, 0) for s in summaries])
    row("  429/503 without Retry-After", [s["refusals_without_retry_after"] for s in summaries])
    row("  429/503 not in Notify's shape", [s["refusals_not_in_notify_shape"] for s in summaries])
    row("  answered p50 / p99 ms", [f"{ms(s['answered_latency_ms']['p50'])} / {ms(s['answered_latency_ms']['p99'])}"
                                    for s in summaries])
    row("  answered in time, per second", [f"{s['answered_per_second']:.1f}" for s in summaries])
    row("  sends: 201 / other", [f"{s['client_outcomes_by_kind']['send'].get('201', 0)} / "
                                 f"{sum(v for k, v in s['client_outcomes_by_kind']['send'].items() if k != '201')}"
                                 for s in summaries])
    row("NOTIFICATIONS", ["" for _ in summaries])
    row("  accepted (201)", [s["accepted"] for s in summaries])
    row("  persisted", [s["persisted"] for s in summaries])
    row("  accepted but lost", [s["accepted_but_not_persisted"] for s in summaries])
    row("  persisted, client never told", [s["persisted_but_client_not_told"] for s in summaries])
    row("SERVER (/metrics after the run)", ["" for _ in summaries])
    row("  shed: all / slow reads", [f"{s['server']['shed_all']:g} / {s['server']['shed_slow_reads']:g}"
                                     for s in summaries])
    row("  pool timeouts (503)", [f"{s['server']['pool_timeouts']:g}" for s in summaries])
    row("  probes on the event loop", [f"{s['server']['probes_on_event_loop']:g}" for s in summaries])
    row("  of which took > 5 ms inside", [f"{s['server']['in_worker_probes_over_5ms']:g}" for s in summaries])
    row("  probes waiting > 50 ms for the loop", [s["server"]["event_loop_lag_over_50ms"]["probe"] for s in summaries])
    row("  requests waiting > 50 ms for it", [s["server"]["event_loop_lag_over_50ms"]["request"] for s in summaries])
    row("MACHINE during the spike (2 cores = 100%)", ["" for _ in summaries])
    row("  API (+ its PostgreSQL backends)", [f"{s['machine']['api_pct']:g}%" for s in summaries])
    row("  drill client and prober", [f"{s['machine']['drill_client_pct']:g}%" for s in summaries])
    row("  everything else (other tenants)", [f"{s['machine']['everything_else_pct']:g}%" for s in summaries])
    row("  load average before -> after", [f"{s['machine']['load_average_1m_before']:g} -> "
                                          f"{s['machine']['load_average_1m_after']:g}" for s in summaries])
    width = max(len(label) for label, _ in rows) + 2
    col = max(20, *(len(v) + 2 for _, values in rows for v in values))
    print()
    print("".ljust(width) + "".join(m.ljust(col) for m in modes))
    for label, values in rows:
        print(label.ljust(width) + "".join(v.ljust(col) for v in values))
    print()


def verdict(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """What the drill claims, checked; an empty list means every target was met."""
    ours, naive = summaries["ours"], summaries["naive"]
    problems = []
    if ours["liveness_dense"]["failed"] or ours["liveness_platform"]["failed"]:
        problems.append("ours: liveness probes failed")
    if not ours["liveness_dense"]["p99_ms"] < 50:
        problems.append(f"ours: liveness p99 {ours['liveness_dense']['p99_ms']:.1f} ms is not under 50 ms")
    bad = {o: n for o, n in ours["client_outcomes"].items() if o not in ("201", "200", "429", "503")}
    if bad:
        problems.append(f"ours: clients got {bad}")
    if ours["refusals_without_retry_after"] or ours["refusals_not_in_notify_shape"]:
        problems.append("ours: a refusal lacked Retry-After or Notify's error shape")
    if ours["accepted"] != ours["persisted"] or ours["accepted_but_not_persisted"]:
        problems.append("ours: accepted and persisted differ")
    if naive["accepted_but_not_persisted"]:
        problems.append("naive: accepted notifications were lost")
    if not naive["platform_would_kill"]:
        problems.append("naive: no probe failed, so the drill did not reproduce the incident (make it harsher)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="spike length (default 30)")
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second, open loop (default 100)")
    parser.add_argument("--listing-share", type=float, default=0.3, help="share of slow listings (default 0.3)")
    parser.add_argument("--lock-hold", type=float, default=3.0, help="seconds each lock is held (default 3)")
    parser.add_argument("--lock-gap", type=float, default=0.25, help="seconds between locks (default 0.25)")
    parser.add_argument("--client-timeout", type=float, default=10.0, help="client request timeout (default 10)")
    parser.add_argument("--dense-interval", type=float, default=0.1, help="dense probe interval (default 0.1)")
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database for the broker (default 13)")
    parser.add_argument("--modes", default="naive,ours", help="which runs, in order (default naive,ours)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="try a manifest env value before committing it to the manifest (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    manifest = load_api_manifest()
    if args.set:
        overrides = dict(item.split("=", 1) for item in args.set)
        manifest = Manifest({**manifest.env, **overrides}, manifest.endpoint, manifest.invocation_timeout,
                            manifest.interval)
        print(f"Manifest env overridden for this drill: {overrides}")
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"notify-drill-{os.getpid()}"
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    infra = start_infra(args.redis_db, workdir)
    try:
        service = provision(infra.database_url)
        runs = [run_mode(mode, args, manifest, infra, service, workdir) for mode in args.modes.split(",")]
    finally:
        infra.close()
    summaries = [summarise(run, args) for run in runs]
    print_report(summaries, args, manifest)
    by_mode = {s["mode"]: s for s in summaries}
    problems = verdict(by_mode) if {"naive", "ours"} <= set(by_mode) else []
    total = time.monotonic() - began
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "config": {**{k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                   "manifest": asdict(manifest), "locked_table": LOCKED_TABLE, "broker": "redis",
                   "cpu_count": os.cpu_count()},
        "runs": summaries,
        "probes": {run.mode: run.probes for run in runs},
        "targets_met": not problems,
        "problems": problems,
        "total_seconds": round(total, 1),
        "logs": str(workdir),
    }, indent=2, default=str))
    print(f"Whole drill: {total:.0f} s. Results: {args.out}. Server logs: {workdir}")
    if problems:
        print("TARGETS NOT MET:\n  " + "\n  ".join(problems))
        return 1
    print("Targets met: ours kept every probe (p99 under 50 ms) and lost nothing; naive would have been killed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
