"""Helpers shared by the benchmarks: machine facts, percentiles, wrk, tokens and the results file.

The API itself is started the way the incident drill starts it (bench/drill.py: the manifest's env, a
throwaway database, Redis as the broker); the benchmarks import those helpers from there.
"""
from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS_DIR = BENCH / "results"


def machine() -> dict[str, Any]:
    """What the figures were measured on; the machine is shared, so the load average is part of the result."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(v, 2) for v in os.getloadavg()]}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def write_results(name: str, report: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return path


def bearer(api_key: str, iat_offset: float = 0.0) -> str:
    """Notify's JWT for an API key (iss = service id). The API accepts an `iat` up to 30 s either side of
    now, so a token dated `iat_offset` seconds ahead stays valid for 30 + iat_offset seconds."""
    service_id, secret = api_key[-73:-37], api_key[-36:]
    token = jwt.encode({"iss": service_id, "iat": int(time.time() + iat_offset)}, secret.encode(), "HS256")
    return f"Bearer {token}"


# ------------------------------------------------------------------ wrk

WRK_POST_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}"""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str, seconds: float) -> dict[str, Any]:
    """Requests, non-2xx, socket errors and the latency distribution from `wrk --latency` output."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    errors = 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors = sum(int(g) for g in m.groups())
    latency = {f"p{p}": _ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)}
    return {"requests": requests, "non_2xx": non_2xx, "socket_errors": errors, "seconds": seconds,
            "ok_per_second": round((requests - non_2xx) / seconds, 1),
            "p50_ms": latency.get("p50"), "p90_ms": latency.get("p90"), "p99_ms": latency.get("p99")}


def run_wrk(url: str, script: str, *, connections: int, seconds: int, threads: int = 2,
            workdir: Path) -> dict[str, Any]:
    """One closed-loop wrk run; bounded by `seconds` plus a margin."""
    path = workdir / f"wrk-{time.monotonic_ns()}.lua"
    path.write_text(script)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
            "-s", str(path), url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True)
    return {**parse_wrk(done.stdout, seconds), "client": f"wrk -t{threads} -c{connections} -d{seconds}s"}


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for our ASCII payloads


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def post_closed_loop(url: str, body: str, *, connections: int, seconds: int, workdir: Path,
                     authorization: str | None = None, threads: int = 2) -> dict[str, Any]:
    """Closed-loop POSTs of a JSON body: wrk when installed, else bench/receipts_load.py (heavier on the CPU
    the servers share, so absolute figures are lower; `client` in the result says which ran)."""
    if have_wrk():
        headers = f'wrk.headers["Authorization"] = {lua_string(authorization)}\n' if authorization else ""
        script = WRK_POST_SCRIPT.format(body=lua_string(body), headers=headers)
        run = run_wrk(url, script, connections=connections, seconds=seconds, threads=threads, workdir=workdir)
        return {**run, "accepted": run["requests"] - run["non_2xx"]}
    path = workdir / f"body-{time.monotonic_ns()}.json"
    path.write_text(body)
    extra = [f"Authorization: {authorization}"] if authorization else []
    out = subprocess.run([sys.executable, str(BENCH / "receipts_load.py"), url, str(seconds), str(connections),
                          str(path), *extra], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    result = json.loads(out)
    return {"requests": result["requests"], "accepted": result["accepted"], "non_2xx": result["non_2xx"],
            "socket_errors": result["errors"], "seconds": seconds,
            "ok_per_second": round(result["accepted"] / seconds, 1),
            "p50_ms": result["p50_ms"], "p90_ms": result["p90_ms"], "p99_ms": result["p99_ms"],
            "client": f"bench/receipts_load.py x{connections} (wrk not installed)"}
