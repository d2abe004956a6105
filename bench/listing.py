"""`make bench` / listing: GET /v2/notifications page latency for a small and a very large service.

Against the real API (started as bench/drill.py starts it: deploy/api/manifest.yml's env, a throwaway
database, Redis as the broker), one client on one keep-alive connection asks for pages one after the
other (latency, not throughput), BENCH_LISTING_REQUESTS (300) times per case after 20 warm-up calls:

  small, small table   a service with 10,000 notifications, before anything else is in the table
                       (the same-run baseline)
  small, big table     the same service after the big one is seeded (table size alone)
  big                  a service with BENCH_LISTING_ROWS (5,000,000) notifications

each for the first page and for a deep page (older_than = a notification 90% of the way back), and, as
diagnostics outside the targets, a status-filtered page (?status=failed: none of the seeded rows, all
delivered, match, so without ix_notifications_service_status_created it reads the service's whole
history) and an empty service's page (the same route, authentication and session with no rows: the
machine's own noise floor, measured in the same run). Rows are seeded with INSERT ... SELECT
generate_series in chunks (a few minutes for 5M on 2 cores), then VACUUM ANALYZE, as autovacuum would
have done on a live table.

Targets: big p99 < 50 ms, and within 1.5x of the small-table baseline (first and deep page).
Writes bench/results/listing.json; exits 1 when a target is missed.
"""
from __future__ import annotations

import http.client
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, bearer, machine, now_iso, percentile, write_results  # noqa: E402
from drill import ApiProcess, load_api_manifest, start_infra  # noqa: E402

from notify_shared import provisioning  # noqa: E402
from notify_shared.config import Settings  # noqa: E402
from notify_shared.crypto import SecretBox  # noqa: E402
from notify_shared.db import Database  # noqa: E402

SMALL_ROWS = 10_000
BIG_ROWS = int(os.environ.get("BENCH_LISTING_ROWS", "5000000"))
REQUESTS = int(os.environ.get("BENCH_LISTING_REQUESTS", "300"))
WARMUP = 20
CHUNK = 250_000
SEED_TIMEOUT_SECONDS = int(os.environ.get("BENCH_LISTING_SEED_TIMEOUT", "1200"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "12"))
TARGET_P99_MS = 50.0
TARGET_GROWTH = 1.5

# One row a second back from a fixed point, so "90% of the way back" is a timestamp, found by the index.
SEED_SQL = """
INSERT INTO notifications (id, service_id, template_id, template_version, api_key_id, key_type,
    notification_type, "to", normalised_to, status, created_at, sent_at, updated_at, completed_at, sent_by,
    billable_units, international, send_attempts)
SELECT gen_random_uuid(), :service_id, :template_id, :version, :api_key_id, 'normal', 'sms', '07700900456',
    '447700900456', 'delivered', :base - make_interval(secs => g), :base - make_interval(secs => g),
    :base - make_interval(secs => g), :base - make_interval(secs => g), 'mmg', 1, false, 1
FROM generate_series(:first, :last) AS g
"""


class Service:
    def __init__(self, service_id: uuid.UUID, api_key_id: uuid.UUID, api_key: str, template_id: uuid.UUID,
                 version: int):
        self.id, self.api_key_id, self.api_key = service_id, api_key_id, api_key
        self.template_id, self.version = template_id, version


def provision(database_url: str, name: str) -> Service:
    db = Database(Settings(database_url=database_url))
    try:
        with db.session() as session:
            service = provisioning.create_service(session, name=name, restricted=False, permissions=["sms"],
                                                  rate_limit=10_000_000, sms_message_limit=10_000_000)
            key = provisioning.create_api_key(session, SecretBox(SECRET_KEY), service_id=service.id, name=name)
            template = provisioning.create_template(session, service_id=service.id, name=name,
                                                    template_type="sms", content="Your code is 1234.")
            return Service(service.id, key.id, key.key, template.id, template.version)
    finally:
        db.dispose()


def seed(engine, service: Service, rows: int, base: float) -> float:  # noqa: ANN001 - SQLAlchemy engine
    started = time.monotonic()
    for first in range(1, rows + 1, CHUNK):
        last = min(rows, first + CHUNK - 1)
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text(f"SET LOCAL statement_timeout = {SEED_TIMEOUT_SECONDS * 1000}"))
            conn.execute(text(SEED_SQL), {"service_id": service.id, "template_id": service.template_id,
                                          "version": service.version, "api_key_id": service.api_key_id,
                                          "base": _timestamp(base), "first": first, "last": last})
        if rows > CHUNK:
            print(f"  seeded {last:,} of {rows:,} ({time.monotonic() - started:.0f} s)", flush=True)
        if time.monotonic() - started > SEED_TIMEOUT_SECONDS:
            raise TimeoutError(f"seeding took over {SEED_TIMEOUT_SECONDS} s; set BENCH_LISTING_ROWS lower")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE notifications"))
    return time.monotonic() - started


def _timestamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def deep_id(engine, service: Service, rows: int, base: float) -> str:  # noqa: ANN001
    """The notification 90% of the way back in the service's history."""
    with engine.connect() as conn:
        return str(conn.execute(text(
            "SELECT id FROM notifications WHERE service_id = :s AND key_type = 'normal' AND created_at <= :at "
            "ORDER BY created_at DESC, id DESC LIMIT 1"),
            {"s": service.id, "at": _timestamp(base - int(rows * 0.9))}).scalar_one())


def page_latencies(port: int, service: Service, path: str) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies, statuses, token_made, auth, size = [], {}, 0.0, "", 0
    try:
        for index in range(WARMUP + REQUESTS):
            if time.monotonic() - token_made > 20:
                auth, token_made = bearer(service.api_key), time.monotonic()
            started = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": auth})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if index >= WARMUP:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                size = len(body)
    finally:
        conn.close()
    return {"path": path, "requests": REQUESTS, "statuses": statuses, "response_bytes": size,
            "p50_ms": round(percentile(latencies, 0.5), 2), "p99_ms": round(percentile(latencies, 0.99), 2),
            "max_ms": round(max(latencies), 2), "load_average_1m_after": round(os.getloadavg()[0], 2)}


def measure_service(port: int, service: Service, deep: str) -> dict[str, Any]:
    return {"first_page": page_latencies(port, service, "/v2/notifications"),
            "deep_page": page_latencies(port, service, f"/v2/notifications?older_than={deep}"),
            "failed_filter_page": page_latencies(port, service, "/v2/notifications?status=failed")}


SECRET_KEY = "bench-listing-secret-key"


def main() -> int:
    manifest = load_api_manifest()
    workdir = Path(tempfile.mkdtemp(prefix="notify-bench-listing-"))
    began = time.monotonic()
    infra = start_infra(REDIS_DB, workdir)
    api = None
    cases: dict[str, dict[str, Any]] = {}
    try:
        engine = create_engine(infra.database_url)
        small = provision(infra.database_url, "Listing small")
        big = provision(infra.database_url, "Listing big")
        empty = provision(infra.database_url, "Listing empty")
        base = time.time() - 60
        small_seed = seed(engine, small, SMALL_ROWS, base)
        small_deep = deep_id(engine, small, SMALL_ROWS, base)
        api = ApiProcess("ours", manifest, infra, workdir)
        api.env.update({"NOTIFY_ENVIRONMENT": "bench-listing", "SECRET_KEY": SECRET_KEY})
        api.start()
        cases["empty_service"] = {"first_page": page_latencies(api.port, empty, "/v2/notifications")}
        cases["small_service_small_table"] = measure_service(api.port, small, small_deep)
        print(f"  {SMALL_ROWS:,}-row service measured; seeding {BIG_ROWS:,} rows", flush=True)
        big_seed = seed(engine, big, BIG_ROWS, base)
        big_deep = deep_id(engine, big, BIG_ROWS, base)
        cases["small_service_big_table"] = measure_service(api.port, small, small_deep)
        cases["big_service"] = measure_service(api.port, big, big_deep)
        cases["empty_service_big_table"] = {"first_page": page_latencies(api.port, empty, "/v2/notifications")}
        engine.dispose()
    finally:
        if api is not None:
            api.stop()
        infra.close()

    baseline, biggest = cases["small_service_small_table"], cases["big_service"]
    problems, growth, p50_growth = [], {}, {}
    for page in ("first_page", "deep_page"):
        growth[page] = round(biggest[page]["p99_ms"] / baseline[page]["p99_ms"], 2)
        # p50 growth is the steadier sign of cost growing with size; p99 carries the shared machine's noise.
        p50_growth[page] = round(biggest[page]["p50_ms"] / baseline[page]["p50_ms"], 2)
        if not biggest[page]["p99_ms"] < TARGET_P99_MS:
            problems.append(f"{page} p99 {biggest[page]['p99_ms']} ms at {BIG_ROWS:,} rows "
                            f"(target < {TARGET_P99_MS:g})")
        if growth[page] > TARGET_GROWTH:
            problems.append(f"{page} p99 is {growth[page]} x the {SMALL_ROWS:,}-row case (target <= {TARGET_GROWTH})")
    for name, case in cases.items():
        for page, measured in case.items():
            if set(measured["statuses"]) != {200}:
                problems.append(f"{name} {page}: statuses {measured['statuses']}")
    report = {
        "benchmark": "listing",
        "when": now_iso(),
        "machine": machine(),
        "broker": f"kombu Redis transport ({infra.broker_url}); listings do not publish",
        "rows": {"small": SMALL_ROWS, "big": BIG_ROWS},
        "seed_seconds": {"small": round(small_seed, 1), "big": round(big_seed, 1)},
        "page_size": "API_PAGE_SIZE (default 250)",
        "cases": cases,
        "p99_growth_big_vs_small": growth,
        "p50_growth_big_vs_small": p50_growth,
        "targets": {"big_p99_ms": f"< {TARGET_P99_MS:g}", "growth": f"<= {TARGET_GROWTH}"},
        "targets_met": not problems,
        "problems": problems,
        "seconds": round(time.monotonic() - began, 1),
        "logs": str(workdir),
    }
    path = write_results("listing", report)
    print(f"listing: GET /v2/notifications, one keep-alive client, {REQUESTS} pages per case (p50 / p99 ms)")
    for name, case in cases.items():
        print(f"  {name:<26} " + "   ".join(
            f"{page.split('_')[0]} {case[page]['p50_ms']:>6.1f} / {case[page]['p99_ms']:>6.1f}"
            for page in ("first_page", "deep_page", "failed_filter_page") if page in case))
    print(f"  {BIG_ROWS:,} rows vs {SMALL_ROWS:,}: p99 x{growth['first_page']} first, x{growth['deep_page']} deep "
          f"(target <= {TARGET_GROWTH}, and < {TARGET_P99_MS:g} ms); p50 x{p50_growth['first_page']} first, "
          f"x{p50_growth['deep_page']} deep")
    print(f"  {'targets met' if not problems else 'TARGETS NOT MET: ' + '; '.join(problems)}")
    print(f"  written to {path.relative_to(ROOT)} (seeding {big_seed:.0f} s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
