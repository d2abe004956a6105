"""`make bench` / end_to_end: from the API's 201 to handed-to-provider and to `delivered`, at a steady rate.

The whole platform runs as `make run` runs it (every process from notify_devstack.processes, with its
own argv and env; the API additionally gets deploy/api/manifest.yml's env, as bench/drill.py does),
against a throwaway database and kombu's Redis transport as the bus (redis://127.0.0.1:6379/
<BENCH_REDIS_DB>; the SQS emulator is far too slow for 200/s). The simulator's providers answer every
request after 50 ms and send the delivery receipt at once (SIMULATOR_RECEIPT_DELAY_SECONDS=0).

An open-loop client posts SMS at BENCH_E2E_RATE (200) a second for BENCH_E2E_SECONDS (60), then waits
(bounded) for every accepted notification to reach `delivered`. From the database:

  handed over   sent_at - created_at     (created_at is stamped just before the 201)
  delivered     completed_at - created_at

Same-run baselines: the provider's own 50 ms (the least a hand-over can take) and the API's answer
time. Target: 99% handed over within 1 s. Writes bench/results/end_to_end.json; exits 1 when missed.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, now_iso, percentile, write_results  # noqa: E402
from drill import SECRET_KEY, load_api_manifest, provision, start_infra  # noqa: E402
from drill_traffic import Tokens, run_spike  # noqa: E402

from notify_devstack.infra import free_port  # noqa: E402
from notify_devstack.processes import Ports, process_specs  # noqa: E402
from notify_testkit.processes import ProcessGroup  # noqa: E402

RATE = float(os.environ.get("BENCH_E2E_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_E2E_SECONDS", "60"))
DRAIN_SECONDS = float(os.environ.get("BENCH_E2E_DRAIN_SECONDS", "90"))
PROVIDER_LATENCY_MS = 50
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "14"))
TARGET_SHARE_WITHIN = 0.99
TARGET_SECONDS = 1.0

TIMINGS_SQL = text("""
SELECT status, EXTRACT(EPOCH FROM sent_at - created_at) AS handed, EXTRACT(EPOCH FROM completed_at - created_at) AS done
FROM notifications WHERE id = ANY(CAST(:ids AS uuid[]))
""")


def stack_env(infra) -> dict[str, str]:  # noqa: ANN001 - drill.Infra
    return {
        "DATABASE_URL": infra.database_url, "BROKER_URL": infra.broker_url, "REDIS_URL": infra.broker_url,
        "NOTIFICATION_QUEUE_PREFIX": infra.queue_prefix, "SECRET_KEY": SECRET_KEY,
        "NOTIFY_ENVIRONMENT": "bench-e2e", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO",
        "AWS_ACCESS_KEY_ID": "notify", "AWS_SECRET_ACCESS_KEY": "notify",
        "SIMULATOR_LATENCY_MS": str(PROVIDER_LATENCY_MS), "SIMULATOR_RECEIPT_DELAY_SECONDS": "0",
    }


def distribution(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {"count": len(ms), "p50_ms": round(percentile(ms, 0.5), 1), "p99_ms": round(percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1) if ms else float("nan"),
            "within_1s": round(sum(1 for v in values if v <= TARGET_SECONDS) / len(values), 4) if values else 0.0}


def main() -> int:
    manifest = load_api_manifest()
    workdir = Path(tempfile.mkdtemp(prefix="notify-bench-e2e-"))
    began = time.monotonic()
    infra = start_infra(REDIS_DB, workdir)
    group: ProcessGroup | None = None
    try:
        service = provision(infra.database_url)
        ports = Ports(**{name: free_port() for name in Ports.__dataclass_fields__})
        group = ProcessGroup(workdir, stack_env(infra))
        for spec in process_specs(ports):
            # The API as deployed (workers, threads, pool, bulkheads), pointed at this run's database and bus.
            extra = {**manifest.env, **stack_env(infra), "HOST": "127.0.0.1"} if spec.name == "api" else None
            group.start(spec, extra_env=extra)
        tokens = Tokens(service.api_key)

        def body(index: int) -> dict:
            return {"phone_number": "07700900456", "template_id": service.template_id,
                    "reference": f"e2e-{index}", "personalisation": {"name": "Bench", "code": str(index)}}

        # Warm-up: pools, caches and bus connections, as a live platform has.
        run_spike("127.0.0.1", ports.api, rate=20, seconds=2, listing_share=0.0, timeout=10, tokens=tokens,
                  send_body=body, listing_path="/", seed=1)
        print(f"  posting {RATE:g}/s for {SECONDS:g} s", flush=True)
        load_before = os.getloadavg()[0]
        calls = run_spike("127.0.0.1", ports.api, rate=RATE, seconds=SECONDS, listing_share=0.0, timeout=10,
                          tokens=tokens, send_body=body, listing_path="/", seed=2)
        load_after = os.getloadavg()[0]
        accepted = [c.notification_id for c in calls if c.outcome == "201" and c.notification_id]
        outcomes: dict[str, int] = {}
        for call in calls:
            outcomes[call.outcome] = outcomes.get(call.outcome, 0) + 1
        engine = create_engine(infra.database_url)
        deadline = time.monotonic() + DRAIN_SECONDS
        while True:
            with engine.connect() as conn:
                rows = conn.execute(TIMINGS_SQL, {"ids": accepted}).all()
            delivered = sum(1 for r in rows if r.status == "delivered")
            if delivered >= len(accepted) or time.monotonic() > deadline:
                break
            time.sleep(1)
        engine.dispose()
    finally:
        if group is not None:
            group.stop_all()
        infra.close()

    handed = [float(r.handed) for r in rows if r.handed is not None]
    done = [float(r.done) for r in rows if r.done is not None and r.status == "delivered"]
    answered = [c.latency for c in calls if c.outcome == "201"]
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    figures = {"handed_over": distribution(handed), "delivered": distribution(done), "api_201": distribution(answered)}
    share = sum(1 for v in handed if v <= TARGET_SECONDS) / len(accepted) if accepted else 0.0
    problems = []
    if share < TARGET_SHARE_WITHIN:
        problems.append(f"{share:.2%} handed over within {TARGET_SECONDS:g} s (target >= {TARGET_SHARE_WITHIN:.0%})")
    if len(accepted) != len(calls):
        problems.append(f"the API answered {len(calls) - len(accepted)} of {len(calls)} posts with something other "
                        f"than 201 ({outcomes}): the platform did not sustain {RATE:g}/s")
    if len(rows) != len(accepted):
        problems.append(f"accepted {len(accepted)} but found {len(rows)} in the database")
    if delivered != len(accepted):
        problems.append(f"{len(accepted) - delivered} accepted notifications not delivered within the drain window")
    report = {
        "benchmark": "end_to_end",
        "when": now_iso(),
        "machine": {**machine(), "load_average_1m_before": round(load_before, 2),
                    "load_average_1m_after": round(load_after, 2)},
        "broker": f"kombu Redis transport ({infra.broker_url}); the SQS emulator is too slow for 200/s",
        "provider": f"notify_simulator, {PROVIDER_LATENCY_MS} ms latency, receipts sent at once",
        "rate_per_second": RATE,
        "seconds": SECONDS,
        "posted": len(calls),
        "client_outcomes": outcomes,
        "accepted": len(accepted),
        "final_statuses": statuses,
        "figures": figures,
        "share_handed_over_within_1s": round(share, 4),
        "baseline": {"provider_latency_ms": PROVIDER_LATENCY_MS,
                     "handed_over_p50_over_provider_latency": round(figures["handed_over"]["p50_ms"]
                                                                    / PROVIDER_LATENCY_MS, 2)},
        "targets": {"share_handed_over_within_1s": f">= {TARGET_SHARE_WITHIN}"},
        "targets_met": not problems,
        "problems": problems,
        "wall_seconds": round(time.monotonic() - began, 1),
        "logs": str(workdir),
    }
    path = write_results("end_to_end", report)
    h, d, a = figures["handed_over"], figures["delivered"], figures["api_201"]
    print(f"""end_to_end: {RATE:g} SMS/s for {SECONDS:g} s through the whole stack (Redis bus, provider 50 ms)
  posted {len(calls)}, accepted {len(accepted)}, outcomes {outcomes}, final {statuses}
  201 answered     p50 {a['p50_ms']:>7.1f} ms   p99 {a['p99_ms']:>7.1f} ms
  handed over      p50 {h['p50_ms']:>7.1f} ms   p99 {h['p99_ms']:>7.1f} ms   \
({h['p50_ms'] / PROVIDER_LATENCY_MS:.1f} x the provider's {PROVIDER_LATENCY_MS} ms)
  delivered        p50 {d['p50_ms']:>7.1f} ms   p99 {d['p99_ms']:>7.1f} ms
  handed over within 1 s: {share:.2%} (target >= {TARGET_SHARE_WITHIN:.0%})
  {'targets met' if not problems else 'TARGETS NOT MET: ' + '; '.join(problems)}
  written to {path.relative_to(ROOT)} (logs {workdir})""")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
