"""`make bench` / intake: accepted POST /v2/notifications/sms per second and p50/p99, against the floor.

Both apps run in the same invocation, under the same gunicorn numbers (workers, threads, keep-alive,
timeouts, backlog) from deploy/api/manifest.yml's env, against the same throwaway PostgreSQL database
and the same Redis broker (kombu's Redis transport, redis://127.0.0.1:6379/<BENCH_REDIS_DB>; the SQS
emulator is far too slow to measure intake):

  api    the real API, started as bench/drill.py starts it (manifest env, notify_devstack's argv);
  floor  bench/intake_floor_app.py: verify the JWT, insert one row, publish one kombu message.

Load: wrk (or, where it is not installed, bench/receipts_load.py, which costs the shared CPU more and says so
in the results), closed loop, BENCH_INTAKE_CONNECTIONS (32) connections. One JWT per run, dated 25 s
ahead, so it stays inside the API's 30 s clock window for the whole run. Each app gets a 5 s warm-up,
then BENCH_INTAKE_ROUNDS (3) measured runs of BENCH_INTAKE_SECONDS (20) s, alternating floor/api so
other tenants' noise on this shared machine falls on both. Afterwards every 201 must have its row:
accepted <= persisted <= accepted + requests in flight when wrk stopped (wrk does not count those).

BENCH_INTAKE_PROFILE=<path> records the API's workers with py-spy during its measured runs (`pip install
py-spy` first; .svg for a flame graph, anything else py-spy's raw collapsed stacks). The profiler's sampling
costs the API much of its throughput: profile to see where CPU goes, not to measure.

Targets: api >= 0.75 x floor accepted/s, api p99 < 100 ms. Writes bench/results/intake.json; exits 1
when a target is missed.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    ROOT,
    bearer,
    machine,
    now_iso,
    post_closed_loop,
    write_results,
)
from drill import ApiProcess, _children, _jiffies, load_api_manifest, provision, start_infra  # noqa: E402

from notify_devstack.infra import free_port, wait_for_http  # noqa: E402
from notify_shared.models import Notification  # noqa: E402

CONNECTIONS = int(os.environ.get("BENCH_INTAKE_CONNECTIONS", "32"))
SECONDS = int(os.environ.get("BENCH_INTAKE_SECONDS", "20"))
ROUNDS = int(os.environ.get("BENCH_INTAKE_ROUNDS", "3"))
WARMUP_SECONDS = 5
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "12"))
# Off by default: with 32 in flight per worker the bulkheads refuse nothing at 32 clients, and the time
# goes to a third measured round instead (how far apart two workers' connection shares fall moves a single
# run's throughput by ±10%, for both apps).
DIAGNOSE_SHEDDING = os.environ.get("BENCH_INTAKE_UNSHED", "0") == "1"
# A py-spy profile of the API's workers during its measured runs (the last one's), when a path is given.
PROFILE = os.environ.get("BENCH_INTAKE_PROFILE", "")
TARGET_RATIO = 0.75
TARGET_P99_MS = 100.0

FLOOR_DDL = """
CREATE TABLE floor_notifications (
    id uuid PRIMARY KEY, service_id uuid NOT NULL, template_id uuid NOT NULL, "to" text NOT NULL,
    body text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL)
"""


class FloorProcess:
    """bench/intake_floor_app.py under gunicorn, with the API's env (so the same gunicorn numbers)."""

    def __init__(self, api_env: dict[str, str], database_url: str, broker_url: str, queue: str, api_key: str,
                 log_path: Path):
        self.port = free_port()
        self.env = {**api_env, "FLOOR_PORT": str(self.port), "FLOOR_DATABASE_URL": database_url,
                    "FLOOR_BROKER_URL": broker_url, "FLOOR_QUEUE": queue,
                    "FLOOR_SERVICE_ID": api_key[-73:-37], "FLOOR_SECRET": api_key[-36:],
                    "FLOOR_POOL_SIZE": api_env.get("DB_POOL_SIZE", "8"),
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), api_env.get("PYTHONPATH", "")])}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = [sys.executable, "-m", "gunicorn", "-c", "python:intake_floor_gunicorn", "intake_floor_app:application"]
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True, cwd=ROOT / "bench")
        wait_for_http(f"{self.origin}/v2/notifications/sms", timeout=30, expect_status=None)  # 405 to a GET: up

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def cpu_seconds(pid: int) -> float:
    """CPU used so far by a gunicorn master and its workers."""
    return sum(_jiffies(p) for p in [pid, *_children(pid)]) / os.sysconf("SC_CLK_TCK")


def measure(name: str, origin: str, script_body: str, api_key: str, pid: int, workdir: Path,
            seconds: int) -> dict[str, Any]:
    authorization = bearer(api_key, iat_offset=25)
    load_before, cpu_before = os.getloadavg()[0], cpu_seconds(pid)
    profiler = None
    if PROFILE and name == "api" and seconds == SECONDS:
        # --gil samples the thread holding the GIL (CPU, not threads waiting on I/O); --subprocesses the workers.
        profiler = subprocess.Popen(["py-spy", "record", "-o", PROFILE, "-r", "200", "--gil", "--subprocesses",
                                     "-p", str(pid), "-f", "flamegraph" if PROFILE.endswith(".svg") else "raw"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = post_closed_loop(f"{origin}/v2/notifications/sms", script_body, authorization=authorization,
                           connections=CONNECTIONS, seconds=seconds, workdir=workdir)
    used = cpu_seconds(pid) - cpu_before
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(30)
    ok = run["requests"] - run["non_2xx"]
    return {**run, "app": name, "load_average_1m_before": round(load_before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "app_cpu_ms_per_accepted": round(1000 * used / ok, 3) if ok else None}


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The measured runs of one app: total accepted over total time; the worst p50/p99 of the runs."""
    seconds = sum(r["seconds"] for r in runs)
    accepted = sum(r["requests"] - r["non_2xx"] for r in runs)
    return {"accepted_per_second": round(accepted / seconds, 1),
            "p50_ms": max(r["p50_ms"] for r in runs), "p99_ms": max(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs), "socket_errors": sum(r["socket_errors"] for r in runs),
            "per_run_accepted_per_second": [r["ok_per_second"] for r in runs]}


def queued(client: redis.Redis, prefix: str) -> int:
    """Messages waiting in the bus's Redis lists under this run's queue prefix."""
    return sum(client.llen(key) for key in client.scan_iter(f"{prefix}*") if client.type(key) == b"list")


def main() -> int:
    manifest = load_api_manifest()
    workdir = Path(tempfile.mkdtemp(prefix="notify-bench-intake-"))
    began = time.monotonic()
    infra = start_infra(REDIS_DB, workdir)
    api = floor = unshed = None
    try:
        service = provision(infra.database_url)
        engine = create_engine(infra.database_url)
        with engine.begin() as conn:
            conn.execute(text(FLOOR_DDL))
        api = ApiProcess("ours", manifest, infra, workdir)
        api.env["NOTIFY_ENVIRONMENT"] = "bench-intake"
        api.start()
        if DIAGNOSE_SHEDDING:
            # Not a target: the same API with its bulkheads off, to show what load shedding costs here.
            unshed = ApiProcess("ours", manifest, infra, workdir)
            unshed.env.update({"NOTIFY_ENVIRONMENT": "bench-intake-unshed", "API_SHED_LOAD": "false"})
            unshed.log_path = workdir / "api-unshed.log"
            unshed.start()
        floor = FloorProcess(api.env, infra.database_url, infra.broker_url, f"{infra.queue_prefix}floor",
                             service.api_key, workdir / "floor.log")
        floor.start()
        body = json.dumps({"phone_number": "07700900456", "template_id": service.template_id,
                           "personalisation": {"name": "Bench", "code": "1234"}})
        targets = {"floor": (floor.origin, floor.proc.pid), "api": (api.origin, api.proc.pid)}
        if unshed is not None:
            targets["api_unshed"] = (unshed.origin, unshed.proc.pid)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
        warmups: dict[str, dict[str, Any]] = {}
        accepted = dict.fromkeys(targets, 0)
        for name, (origin, pid) in targets.items():
            warmups[name] = measure(name, origin, body, service.api_key, pid, workdir, WARMUP_SECONDS)
            accepted[name] += warmups[name]["requests"] - warmups[name]["non_2xx"]
        for _ in range(ROUNDS):
            for name, (origin, pid) in targets.items():
                run = measure(name, origin, body, service.api_key, pid, workdir, SECONDS)
                accepted[name] += run["requests"] - run["non_2xx"]
                runs[name].append(run)
                print(f"  {name:<5} {run['ok_per_second']:>7.1f} accepted/s  p50 {run['p50_ms']:.1f} ms  "
                      f"p99 {run['p99_ms']:.1f} ms  non-2xx {run['non_2xx']}  load {run['load_average_1m_after']}",
                      flush=True)
        time.sleep(2)  # let requests that were in flight when wrk stopped finish
        with engine.connect() as conn:
            persisted = {
                "api": conn.execute(select(func.count()).select_from(Notification.__table__).where(
                    Notification.service_id == uuid.UUID(service.api_key[-73:-37]))).scalar_one(),
                "floor": conn.execute(text("SELECT count(*) FROM floor_notifications")).scalar_one(),
            }
        engine.dispose()
        client = redis.Redis.from_url(infra.broker_url)
        published = {"floor": client.llen(f"{infra.queue_prefix}floor"), "all": queued(client, infra.queue_prefix)}
        published["api"] = published["all"] - published["floor"]
        if unshed is not None:  # both API instances send for the same service and queues
            accepted["api"] += accepted.pop("api_unshed")
    finally:
        for process in (floor, api, unshed):
            if process is not None:
                process.stop()
        infra.close()

    figures = {name: combine(r) for name, r in runs.items()}
    ratio = figures["api"]["accepted_per_second"] / figures["floor"]["accepted_per_second"]
    checks = {name: {"accepted": accepted[name], "persisted": persisted[name], "published": published[name],
                     "lost": max(0, accepted[name] - persisted[name]),
                     "in_flight_at_cutoff": persisted[name] - accepted[name]} for name in persisted}
    problems = []
    if ratio < TARGET_RATIO:
        problems.append(f"api is {ratio:.2f} x the floor's accepted/s (target >= {TARGET_RATIO})")
    if not figures["api"]["p99_ms"] < TARGET_P99_MS:
        problems.append(f"api p99 {figures['api']['p99_ms']:.1f} ms (target < {TARGET_P99_MS:g} ms)")
    for name, check in checks.items():
        # wrk stops mid-request: up to one request per connection per run completes after it stopped counting.
        if check["lost"] or check["in_flight_at_cutoff"] > CONNECTIONS * (ROUNDS + 1) * len(runs):
            problems.append(f"{name}: accepted {check['accepted']} but persisted {check['persisted']}")
    env = manifest.env
    report = {
        "benchmark": "intake",
        "when": now_iso(),
        "machine": machine(),
        "broker": f"kombu Redis transport ({infra.broker_url}); the SQS emulator is too slow to measure intake",
        "gunicorn": {k: env.get(k) for k in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "DB_POOL_SIZE",
                                             "DB_MAX_OVERFLOW", "API_MAX_IN_FLIGHT")},
        "client": runs["api"][0]["client"] if runs["api"] else None,
        "connections": CONNECTIONS,
        "seconds_per_run": SECONDS,
        "rounds": ROUNDS,
        "figures": figures,
        "ratio_to_floor": round(ratio, 3),
        "targets": {"ratio_to_floor": f">= {TARGET_RATIO}", "api_p99_ms": f"< {TARGET_P99_MS:g}"},
        "accepted_vs_persisted": checks,
        "runs": runs,
        "warmups": warmups,
        "targets_met": not problems,
        "problems": problems,
        "seconds": round(time.monotonic() - began, 1),
        "logs": str(workdir),
    }
    path = write_results("intake", report)
    f, a = figures["floor"], figures["api"]
    unshed_line = ""
    if "api_unshed" in figures:
        u = figures["api_unshed"]
        unshed_line = (f"  api, bulkheads off (diagnostic) {u['accepted_per_second']:.1f} accepted/s"
                       f"   p50 {u['p50_ms']:.1f} ms   p99 {u['p99_ms']:.1f} ms   non-2xx {u['non_2xx']}\n")
        report["ratio_unshed_to_floor"] = round(u["accepted_per_second"] / f["accepted_per_second"], 3)
        path = write_results("intake", report)
    print(f"""intake: POST /v2/notifications/sms, {CONNECTIONS} connections, {ROUNDS} x {SECONDS} s per app, Redis, \
load from {report['client']}
  floor  {f['accepted_per_second']:>7.1f} accepted/s   p50 {f['p50_ms']:.1f} ms   p99 {f['p99_ms']:.1f} ms
  api    {a['accepted_per_second']:>7.1f} accepted/s   p50 {a['p50_ms']:.1f} ms   p99 {a['p99_ms']:.1f} ms   \
non-2xx {a['non_2xx']}
{unshed_line}  ratio api/floor {ratio:.2f} (target >= {TARGET_RATIO})   api p99 target < {TARGET_P99_MS:g} ms
  accepted/persisted: api {checks['api']['accepted']}/{checks['api']['persisted']}, \
floor {checks['floor']['accepted']}/{checks['floor']['persisted']}
  {'targets met' if not problems else 'TARGETS NOT MET: ' + '; '.join(problems)}
  written to {path.relative_to(ROOT)} (logs {workdir})""")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
