"""Start real service processes for tests and stop them reliably, keeping their logs."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from notify_devstack.infra import wait_for_http
from notify_devstack.processes import ProcessSpec


@dataclass
class Running:
    spec: ProcessSpec
    proc: subprocess.Popen
    log_path: Path


class ProcessGroup:
    def __init__(self, log_dir: Path, base_env: dict[str, str]):
        self.log_dir = log_dir
        self.base_env = base_env
        self.running: dict[str, Running] = {}

    def start(self, spec: ProcessSpec, *, wait: bool = True, extra_env: dict[str, str] | None = None) -> Running:
        log_path = self.log_dir / f"{spec.name}.log"
        env = {**os.environ, **self.base_env, **spec.env, **(extra_env or {}), "NOTIFY_SERVICE_NAME": spec.name}
        out = open(log_path, "ab")
        proc = subprocess.Popen(spec.argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        running = Running(spec, proc, log_path)
        self.running[spec.name] = running
        if wait and spec.health_url:
            try:
                wait_for_http(spec.health_url, timeout=40)
            except TimeoutError as exc:
                raise RuntimeError(f"{spec.name} did not become live:\n{self.tail(spec.name)}") from exc
        return running

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        running = self.running.get(name)
        if running and running.proc.poll() is None:
            os.killpg(running.proc.pid, sig)
            running.proc.wait(15)

    def stop(self, name: str) -> None:
        running = self.running.pop(name, None)
        if not running or running.proc.poll() is not None:
            return
        os.killpg(running.proc.pid, signal.SIGTERM)
        try:
            running.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(running.proc.pid, signal.SIGKILL)
            running.proc.wait(5)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def tail(self, name: str, lines: int = 60) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def all_logs(self) -> str:
        return "\n".join(f"--- {name} ---\n{self.tail(name)}" for name in self.running)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it returns a truthy value; that value is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
