"""`make bench`: run every benchmark, collect their results and write a report with plots.

Each benchmark (bench/<name>.py; the incident drill is not a benchmark and is not run here) runs as
its own subprocess, one after the other so they do not compete for the two cores, each bounded by a
timeout. Each writes bench/results/<name>.json and prints its own figures and its ratio to a baseline
measured in the same run. This runner then writes:

  bench/results/latest.json   every benchmark's JSON, its exit code, duration and the load average
  bench/results/report.md     the headline figures, targets and verdicts, with the plots below
  bench/results/*.png         throughput and latency, each figure beside its same-run baseline

BENCH_ONLY=intake,listing runs a subset; BENCH_SKIP=listing skips some; BENCH_REPORT_ONLY=1 runs nothing
and rebuilds the report and plots from the last latest.json. Exits 1 if any benchmark failed or missed
its target.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH, RESULTS_DIR, ROOT, machine, now_iso  # noqa: E402

# name -> timeout in seconds (listing seeds 5M rows; the others are a few minutes at most)
BENCHMARKS = {"intake": 900, "end_to_end": 900, "listing": 2400, "sender": 900, "receipts": 900, "retention": 1200}


@dataclass
class Row:
    """One headline figure of a benchmark, beside its same-run baseline."""

    benchmark: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""
    met: bool | None = None
    kind: str = ""  # "throughput" or "latency": which plot it goes in

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def _get(data: dict, *path: Any, default: Any = None) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return default
    return data


def rows_for(name: str, data: dict) -> list[Row]:
    """The headline figures of each benchmark's JSON (each benchmark has its own shape)."""
    if name == "intake":
        api, floor = data["figures"]["api"], data["figures"]["floor"]
        return [
            Row(name, "API accepted/s", api["accepted_per_second"], "req/s", floor["accepted_per_second"], "floor",
                ">= 0.75 x floor", data["ratio_to_floor"] >= 0.75, "throughput"),
            Row(name, "API p50", api["p50_ms"], "ms", floor["p50_ms"], "floor p50", "", None, "latency"),
            Row(name, "API p99", api["p99_ms"], "ms", floor["p99_ms"], "floor p99", "< 100 ms", api["p99_ms"] < 100,
                "latency"),
        ]
    if name == "end_to_end":
        handed, delivered = data["figures"]["handed_over"], data["figures"]["delivered"]
        provider = data["baseline"]["provider_latency_ms"]
        return [
            Row(name, "201 -> handed over p50", handed["p50_ms"], "ms", provider, "provider latency", "", None,
                "latency"),
            Row(name, "201 -> handed over p99", handed["p99_ms"], "ms", provider, "provider latency", "", None,
                "latency"),
            Row(name, "201 -> delivered p99", delivered["p99_ms"], "ms", provider, "provider latency", "", None,
                "latency"),
            Row(name, "handed over within 1 s", 100 * data["share_handed_over_within_1s"], "%", None, "", ">= 99%",
                data["share_handed_over_within_1s"] >= 0.99),
            Row(name, f"posts accepted at {data['rate_per_second']:g}/s", 100 * data["accepted"] / data["posted"], "%",
                None, "", "100%", data["accepted"] == data["posted"]),
        ]
    if name == "listing":
        rows = []
        base, big = data["cases"]["small_service_small_table"], data["cases"]["big_service"]
        for page in ("first_page", "deep_page"):
            label = page.replace("_", " ")
            rows.append(Row(name, f"{label} p99 at {data['rows']['big']:,} rows", big[page]["p99_ms"], "ms",
                            base[page]["p99_ms"], f"{data['rows']['small']:,} rows", "< 50 ms, <= 1.5 x",
                            big[page]["p99_ms"] < 50 and big[page]["p99_ms"] <= 1.5 * base[page]["p99_ms"], "latency"))
        return rows
    if name == "sender":
        phases = data.get("phases", [])
        first, last = (phases[0], phases[-1]) if phases else ({}, {})
        return [Row(name, "handed over/s, one sender", last.get("per_second"), "msg/s", first.get("per_second"),
                    "concurrency 1", f">= {_get(data, 'targets', 'per_second_at_default')}/s",
                    data.get("targets_met"), "throughput")]
    if name == "receipts":
        return [Row(name, f"receipts {f['name']}", f["per_second"], "/s", f.get("baseline_per_second"),
                    f.get("detail", {}).get("baseline", "baseline"), f">= {f.get('target')}/s", f.get("passed"),
                    "throughput") for f in data.get("figures", [])]
    if name == "retention":
        without, during = data["intake_without_deletion"], data["intake_during_deletion"]
        return [
            Row(name, "rows deleted/s", data["deletion"]["rows_per_second"], "rows/s", None, "",
                f">= {_get(data, 'targets', 'rows_per_second')}", data["targets_met"]),
            Row(name, "intake p99 during deletion", during["p99_ms"], "ms", without["p99_ms"], "without deletion",
                f"< {_get(data, 'targets', 'p99_ratio_below')} x", data["targets_met"], "latency"),
        ]
    return []


def run_one(name: str, timeout: int) -> dict[str, Any]:
    script = BENCH / f"{name}.py"
    result_path = RESULTS_DIR / f"{name}.json"
    if not script.exists():
        return {"status": "missing", "rc": None}
    started, load_before = time.time(), os.getloadavg()[0]
    print(f"\n=== {name} (timeout {timeout} s) ===", flush=True)
    try:
        rc = subprocess.run([sys.executable, str(script)], cwd=ROOT, timeout=timeout).returncode
        status = "ok" if rc == 0 else "target missed or failed"
    except subprocess.TimeoutExpired:
        rc, status = None, f"timed out after {timeout} s"
    fresh = result_path.exists() and result_path.stat().st_mtime >= started
    data = json.loads(result_path.read_text()) if fresh else None
    if data is None and status == "ok":
        status = "wrote no results"
    return {"status": status, "rc": rc, "seconds": round(time.time() - started, 1),
            "load_average_1m_before": round(load_before, 2), "load_average_1m_after": round(os.getloadavg()[0], 2),
            "result": data}


def plot(rows: list[Row], kind: str, path: Path, title: str) -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = [r for r in rows if r.kind == kind and r.value is not None]
    if not chosen:
        return False
    labels = [f"{r.benchmark}\n" + "\n".join(textwrap.wrap(r.figure, 22)) for r in chosen]
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(chosen)), 4.5))
    xs = range(len(chosen))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], [r.value for r in chosen], width, label="measured")
    ax.bar([x + width / 2 for x in xs], [r.baseline or 0 for r in chosen], width, label="same-run baseline")
    for x, r in zip(xs, chosen, strict=True):
        if r.ratio is not None:
            ax.annotate(f"{r.ratio:.2f}x", (x - width / 2, r.value), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("per second" if kind == "throughput" else "milliseconds")
    if kind == "latency":
        ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.1f} {unit}".strip()


def write_report(latest: dict[str, Any], rows: list[Row], plots: list[str]) -> Path:
    lines = [
        "# Benchmark report",
        "",
        f"Run {latest['when']} on {latest['machine']['cpus']} CPUs, Python {latest['machine']['python']}; load "
        f"average at start {latest['machine']['load_average']} (the machine is shared: other tenants' work competes "
        "for the cores, so compare each figure with its same-run baseline, not across runs). Bus: kombu's Redis "
        "transport for every benchmark (the SQS emulator is too slow to measure). Details: "
        "[latest.json](latest.json), [docs/performance.md](../../docs/performance.md).",
        "",
        "| benchmark | figure | measured | baseline (same run) | ratio | target | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = {True: "met", False: "**missed**", None: "-"}[r.met]
        baseline = f"{fmt(r.baseline, r.unit)} ({r.baseline_label})" if r.baseline is not None else "-"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        lines.append(f"| {r.benchmark} | {r.figure} | {fmt(r.value, r.unit)} | {baseline} | {ratio} | {r.target or '-'}"
                     f" | {verdict} |")
    lines += ["", "| benchmark | status | exit code | seconds | load average 1 min before -> after |",
              "|---|---|---|---|---|"]
    for name, run in latest["benchmarks"].items():
        lines.append(f"| {name} | {run['status']} | {run.get('rc')} | {run.get('seconds', '-')} | "
                     f"{run.get('load_average_1m_before', '-')} -> {run.get('load_average_1m_after', '-')} |")
    lines.append("")
    for name in plots:
        lines += [f"![{name}]({name})", ""]
    path = RESULTS_DIR / "report.md"
    path.write_text("\n".join(lines))
    return path


def selected() -> dict[str, int]:
    only = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n]
    skip = {n for n in os.environ.get("BENCH_SKIP", "").split(",") if n}
    names = only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmarks {unknown}; known: {', '.join(BENCHMARKS)}")
    return {n: BENCHMARKS[n] for n in names if n not in skip}


def matplotlib_version() -> str | None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plots (.venv/bin/pip install matplotlib)", file=sys.stderr)
        return None
    return matplotlib.__version__


def main() -> int:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    latest_path = RESULTS_DIR / "latest.json"
    if os.environ.get("BENCH_REPORT_ONLY") == "1":
        # Each benchmark's own results file may be newer than latest.json (it was rerun alone): use it.
        latest = json.loads(latest_path.read_text())
        latest["matplotlib"] = matplotlib_version()
        for name in BENCHMARKS:
            path = RESULTS_DIR / f"{name}.json"
            if path.exists():
                result = json.loads(path.read_text())
                run = latest["benchmarks"].setdefault(name, {"status": "ok", "rc": None})
                if result != run.get("result"):
                    met = result.get("targets_met")
                    run.update({"result": result, "status": "rerun alone, " + ("ok" if met else "target missed"),
                                "rc": None if met is None else int(not met)})
    else:
        latest = {"when": now_iso(), "machine": machine(), "matplotlib": matplotlib_version(), "benchmarks": {}}
        for name, timeout in selected().items():
            latest["benchmarks"][name] = run_one(name, timeout)
        latest["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    rows: list[Row] = []
    for name, run in latest["benchmarks"].items():
        if run.get("result"):
            try:
                rows.extend(rows_for(name, run["result"]))
            except (KeyError, TypeError, ZeroDivisionError) as exc:
                run["status"] += f"; results not understood ({type(exc).__name__}: {exc})"
    latest["headline"] = [{**vars(r), "ratio": r.ratio} for r in rows]
    latest_path.write_text(json.dumps(latest, indent=2, default=str) + "\n")
    plots = [name for name, kind, title in (("throughput.png", "throughput", "Throughput vs same-run baseline"),
                                            ("latency.png", "latency", "Latency vs same-run baseline (log scale)"))
             if plot(rows, kind, RESULTS_DIR / name, title)]
    report = write_report(latest, rows, plots)
    print("\n=== summary ===")
    for r in rows:
        verdict = {True: "met", False: "MISSED", None: ""}[r.met]
        ratio = f"  ({r.ratio:.2f} x {r.baseline_label})" if r.ratio is not None else ""
        print(f"  {r.benchmark:<11} {r.figure:<40} {fmt(r.value, r.unit):>16}{ratio}  {r.target}  {verdict}")
    for name, run in latest["benchmarks"].items():
        if not run["status"].endswith("ok"):
            print(f"  {name}: {run['status']}")
    print(f"  report: {report.relative_to(ROOT)}; all results: {(RESULTS_DIR / 'latest.json').relative_to(ROOT)}")
    failed = (any(not run["status"].endswith("ok") for run in latest["benchmarks"].values())
              or any(r.met is False for r in rows))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
