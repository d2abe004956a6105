"""`make check-deploy`: the real files pass, and every kind of drift between them is caught.

Each mismatch test copies deploy/ and docker-compose.yml to a temporary folder, breaks one thing,
and expects check_deploy to name it.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from notify_devstack.check_deploy import ROOT, check, main


@pytest.fixture
def copy(tmp_path) -> Path:
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    return tmp_path


def edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def manifest(root: Path, service: str) -> Path:
    return root / "deploy" / service / "manifest.yml"


def process(data: dict, process_type: str = "web") -> dict:
    return next(p for p in data["applications"][0]["processes"] if p["type"] == process_type)


def app_env(data: dict) -> dict:
    return data["applications"][0]["env"]


def compose(root: Path) -> Path:
    return root / "docker-compose.yml"


def test_the_committed_manifests_vars_and_compose_file_agree_with_the_code():
    assert check() == []


def test_the_command_exits_non_zero_and_lists_each_problem(copy, capsys):
    edit_yaml(manifest(copy, "api"), lambda m: process(m).update({"health-check-invocation-timeout": 0}))

    assert main(["--root", str(copy)]) == 1

    err = capsys.readouterr().err
    assert "1 problem(s)" in err
    assert "deploy/api/manifest.yml [every environment] process web: health-check-invocation-timeout" in err


def test_the_command_exits_zero_on_the_real_files(capsys):
    assert main([]) == 0
    assert "OK" in capsys.readouterr().out


def _problems(root: Path) -> str:
    return "\n".join(check(root))


# Breakages of one service's manifest: its app env or its web process, changed or with a key taken out.
Breakage = Callable[[Path], None]


def change_env(service: str, env: dict[str, str]) -> Breakage:
    return lambda root: edit_yaml(manifest(root, service), lambda m: app_env(m).update(env))


def drop_env(service: str, name: str) -> Breakage:
    return lambda root: edit_yaml(manifest(root, service), lambda m: app_env(m).pop(name))


def change_web_process(service: str, fields: dict[str, object]) -> Breakage:
    return lambda root: edit_yaml(manifest(root, service), lambda m: process(m).update(fields))


def drop_from_web_process(service: str, key: str) -> Breakage:
    return lambda root: edit_yaml(manifest(root, service), lambda m: process(m).pop(key))


MANIFEST_DRIFT: dict[str, tuple[Breakage, str]] = {
    "endpoint the app does not serve": (
        change_web_process("api", {"health-check-http-endpoint": "/healthz"}),
        "health-check-http-endpoint '/healthz' is not served by the app",
    ),
    "liveness on the dependency-checking readiness endpoint": (
        change_web_process("api", {"health-check-http-endpoint": "/_status/ready"}),
        "liveness endpoint '/_status/ready' checks dependencies",
    ),
    "readiness endpoint the app does not serve": (
        change_web_process("status-receiver", {"readiness-health-check-http-endpoint": "/ready"}),
        "readiness-health-check-http-endpoint '/ready' is not served",
    ),
    "fractional invocation timeout, which CF rejects": (
        change_web_process("api", {"health-check-invocation-timeout": 2.5}),
        "health-check-invocation-timeout must be a positive whole number, got 2.5",
    ),
    "interval given as text": (
        change_web_process("api", {"health-check-interval": "10"}),
        "health-check-interval must be a positive whole number, got '10'",
    ),
    "readiness interval of zero": (
        change_web_process("api", {"readiness-health-check-interval": 0}),
        "readiness-health-check-interval must be a positive whole number, got 0",
    ),
    "start timeout above the platform maximum": (
        change_web_process("api", {"timeout": 600}),
        "timeout (start timeout) must be a whole number from 1 to 180, got 600",
    ),
    "app budget different from the probe's invocation timeout": (
        change_env("api", {"HEALTHCHECK_TIMEOUT_SECONDS": "2"}),
        "env HEALTHCHECK_TIMEOUT_SECONDS is 2 but health-check-invocation-timeout is 1",
    ),
    "app budget left to the app's default, which differs from the probe's timeout": (
        drop_env("status-receiver", "HEALTHCHECK_TIMEOUT_SECONDS"),
        "deploy/status-receiver/manifest.yml [every environment] process web: env HEALTHCHECK_TIMEOUT_SECONDS is 1 "
        "but health-check-invocation-timeout is 2",
    ),
    "app budget that is not a whole number of seconds": (
        change_env("api", {"HEALTHCHECK_TIMEOUT_SECONDS": "1.5"}),
        "env HEALTHCHECK_TIMEOUT_SECONDS must be a whole number of seconds (the app and CF take integers), got '1.5'",
    ),
    "readiness budget above the readiness probe's invocation timeout": (
        change_web_process("status-receiver", {"readiness-health-check-invocation-timeout": 1}),
        "the app's readiness budget 1s (from HEALTHCHECK_TIMEOUT_SECONDS 2) is not below "
        "readiness-health-check-invocation-timeout 1",
    ),
    "readiness probe shorter than the app's whole probe budget": (
        change_env("status-receiver", {"HEALTHCHECK_TIMEOUT_SECONDS": "3"}),
        "readiness-health-check-invocation-timeout 2 is shorter than HEALTHCHECK_TIMEOUT_SECONDS 3",
    ),
    "API bulkhead as large as its thread count (shed requests would wait for a thread)": (
        change_env("api", {"GUNICORN_THREADS": "10"}),
        "the API would refuse to start with this env: API_MAX_IN_FLIGHT must be at least 1 and below "
        "GUNICORN_THREADS",
    ),
    "slow reads allowed every place in the API": (
        change_env("api", {"API_MAX_SLOW_READS": "32"}),
        "API_MAX_SLOW_READS must be at least 1 and below API_MAX_IN_FLIGHT",
    ),
    "load shedding switched off in a manifest": (
        change_env("api", {"API_SHED_LOAD": "false"}),
        "API_SHED_LOAD is off",
    ),
    "probes sent through the request threads in a manifest": (
        change_env("api", {"GUNICORN_PROBE_FAST_PATH": "false"}),
        "GUNICORN_PROBE_FAST_PATH is off",
    ),
    "web process without a readiness check": (
        drop_from_web_process("api", "readiness-health-check-type"),
        "an http process needs readiness-health-check-type http",
    ),
    "unknown health check type": (
        change_web_process("sender", {"health-check-type": "none"}),
        "health-check-type must be one of ['http', 'port', 'process'], got 'none'",
    ),
    "start command different from processes.py": (
        change_web_process("scheduler", {"command": "python -m notify_scheduler.app"}),
        "command 'python -m notify_scheduler.app' is not processes.py's 'python -m notify_scheduler'",
    ),
    "a worker process missing from its manifest": (
        lambda root: edit_yaml(manifest(root, "status-receiver"), lambda m: m["applications"][0].update(
            processes=[p for p in m["applications"][0]["processes"] if p["type"] != "callbacks-worker"])),
        "has no `callbacks-worker` process for processes.py's 'callbacks-worker'",
    ),
    "a process type no local process matches": (
        change_web_process("sender", {"type": "worker"}),
        "process worker: is not a process of tools/notify_devstack/processes.py",
    ),
    "memory that is not a size": (
        change_web_process("sender", {"memory": "lots"}),
        "memory must look like 512M or 1G, got 'lots'",
    ),
    "env name no code reads (a typo)": (
        change_env("sender", {"SENDER_CONCURENCY": "10"}),
        "env SENDER_CONCURENCY is not read by the code that runs there",
    ),
    "sizing knob that is not a number": (
        change_env("sender", {"DB_POOL_SIZE": "five"}),
        "env DB_POOL_SIZE must be a number, got 'five'",
    ),
    "secret written into a manifest": (
        change_env("sender", {"MMG_API_KEY": "abc"}),
        "env MMG_API_KEY is a secret",
    ),
    "database URL with a password in a manifest": (
        change_env("api", {"DATABASE_URL": "postgresql://u:pw@db/notify"}),
        "env DATABASE_URL is a secret",
    ),
    "variable a vars file does not define": (
        lambda root: edit_yaml(root / "deploy" / "vars" / "staging.yml", lambda v: v.pop("sender_memory")),
        "deploy/sender/manifest.yml [staging]: uses ((sender_memory)) but deploy/vars/staging.yml does not define it",
    ),
    "variable no manifest uses": (
        lambda root: edit_yaml(root / "deploy" / "vars" / "preview.yml", lambda v: v.update(sendr_instances=2)),
        "deploy/vars/preview.yml: sendr_instances is used by no manifest",
    ),
    "secret in a vars file": (
        lambda root: edit_yaml(root / "deploy" / "vars" / "production.yml",
                               lambda v: v.update(broker_url="sqs://AKIA:hunter2@sqs.eu-west-2.amazonaws.com")),
        "deploy/vars/production.yml: broker_url looks like a secret",
    ),
    "a manifest that is not YAML": (
        lambda root: manifest(root, "scheduler").write_text("applications: [\n"),
        "deploy/scheduler/manifest.yml: not valid YAML",
    ),
    "a missing vars file": (
        lambda root: (root / "deploy" / "vars" / "staging.yml").unlink(),
        "deploy/vars/staging.yml: file is missing",
    ),
}


@pytest.mark.parametrize("breakage", list(MANIFEST_DRIFT), ids=list(MANIFEST_DRIFT))
def test_manifest_and_vars_mistakes_are_caught(copy, breakage):
    breaks, expected = MANIFEST_DRIFT[breakage]
    breaks(copy)

    assert expected in _problems(copy)


def service(data: dict, name: str) -> dict:
    return data["services"][name]


COMPOSE_DRIFT: dict[str, tuple[Callable[[dict], None], str]] = {
    "web healthcheck timeout different from the manifest's invocation timeout": (
        lambda c: service(c, "api")["healthcheck"].update(timeout="3s"),
        "service api: healthcheck timeout 3s differs from deploy/api/manifest.yml [every environment] process web's 1s",
    ),
    "API bulkhead different from the manifest's": (
        lambda c: service(c, "api")["environment"].update(API_MAX_IN_FLIGHT="11"),
        "service api: API_MAX_IN_FLIGHT is 11 here but 32 in deploy/api/manifest.yml [every environment]",
    ),
    "API pool timeout different from the manifest's": (
        lambda c: service(c, "api")["environment"].update(DB_POOL_TIMEOUT_SECONDS="30"),
        "service api: DB_POOL_TIMEOUT_SECONDS is 30 here but 2 in deploy/api/manifest.yml [every environment]",
    ),
    "API sizing left to app defaults the API refuses": (
        lambda c: service(c, "api")["environment"].pop("GUNICORN_THREADS"),
        "service api: the API would refuse to start with this env: API_MAX_IN_FLIGHT must be at least 1 and "
        "below GUNICORN_THREADS",
    ),
    "web healthcheck interval different from the manifest's": (
        lambda c: service(c, "status-receiver")["healthcheck"].update(interval="30s"),
        "service status-receiver: healthcheck interval 30s differs from deploy/status-receiver/manifest.yml",
    ),
    "worker healthcheck timeout different from its HEALTHCHECK_TIMEOUT_SECONDS": (
        lambda c: service(c, "sender")["healthcheck"].update(timeout="5s"),
        "service sender: healthcheck timeout 5s differs from deploy/sender/manifest.yml [every environment] "
        "process web's HEALTHCHECK_TIMEOUT_SECONDS 2",
    ),
    "worker probed less often than its heartbeat goes stale": (
        lambda c: service(c, "scheduler")["healthcheck"].update(interval="2m"),
        "service scheduler: healthcheck interval 2m is not shorter than",
    ),
    "container budget different from its own healthcheck timeout": (
        lambda c: service(c, "receipts-worker")["environment"].update(HEALTHCHECK_TIMEOUT_SECONDS="5"),
        "service receipts-worker: env HEALTHCHECK_TIMEOUT_SECONDS 5 differs from its healthcheck timeout 2s",
    ),
    "healthcheck on another endpoint": (
        lambda c: service(c, "callbacks-worker")["healthcheck"].update(
            test=["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:6023/')"]),
        "service callbacks-worker: healthcheck must probe /_status/live",
    ),
    "process without a healthcheck": (
        lambda c: service(c, "simulator").pop("healthcheck"),
        "service simulator: needs a healthcheck on /_status/live",
    ),
    "command different from processes.py": (
        lambda c: service(c, "sender").update(command=["python", "-m", "notify_sender.app"]),
        "service sender: command ['python', '-m', 'notify_sender.app'] is not processes.py's",
    ),
    "a process missing from compose": (
        lambda c: c["services"].pop("callbacks-worker"),
        "docker-compose.yml: has no service 'callbacks-worker'",
    ),
    "depends_on a service that does not exist": (
        lambda c: service(c, "api")["depends_on"].update(rabbitmq={"condition": "service_started"}),
        "service api: depends_on 'rabbitmq', which is not a service",
    ),
    "waiting for health of a service without a healthcheck": (
        lambda c: (service(c, "redis").pop("healthcheck"), None)[1],
        "service api: waits for 'redis' to be healthy but 'redis' has no healthcheck",
    ),
    "a named volume that is not declared": (
        lambda c: service(c, "redis").update(volumes=["redisdata:/data"]),
        "service redis: mounts volume 'redisdata', which is not declared under top-level volumes",
    ),
    "a network that is not declared": (
        lambda c: service(c, "redis").update(networks=["backend"]),
        "service redis: joins network 'backend', which is not declared",
    ),
    "a port published on every interface": (
        lambda c: service(c, "postgres").update(ports=["5433:5432"]),
        "service postgres: port '5433:5432' must be bound to 127.0.0.1",
    ),
    "a port in long syntax without host_ip": (
        lambda c: service(c, "api").update(ports=[{"target": 6011, "published": "6011"}]),
        "service api: port {'target': 6011, 'published': '6011'} must be bound to 127.0.0.1",
    ),
    "an env name no code reads": (
        lambda c: service(c, "scheduler")["environment"].update(REPLAY_AFTER_SECONDS="30"),
        "service scheduler: env REPLAY_AFTER_SECONDS is not read by the code that runs there",
    ),
    "a key the compose spec does not know (typo)": (
        lambda c: service(c, "redis").update(helthcheck=service(c, "redis").pop("healthcheck")),
        "docker-compose.yml (compose spec)",
    ),
    "a wrong type the compose spec rejects": (
        lambda c: service(c, "migrate")["depends_on"]["postgres"].update(condition="service_ready"),
        "docker-compose.yml (compose spec)",
    ),
}


@pytest.mark.parametrize("breakage", list(COMPOSE_DRIFT), ids=list(COMPOSE_DRIFT))
def test_compose_mistakes_are_caught(copy, breakage):
    breaks, expected = COMPOSE_DRIFT[breakage]
    edit_yaml(compose(copy), breaks)

    assert expected in _problems(copy)


def test_a_value_that_differs_in_one_environment_is_reported_for_that_environment_only(copy):
    edit_yaml(copy / "deploy" / "vars" / "production.yml", lambda v: v.update(api_instances=-1))

    problems = check(copy)

    assert problems == ["deploy/api/manifest.yml [production] process web: instances must be a whole number, got -1"]


def test_an_untouched_copy_passes_so_the_mismatch_tests_start_clean(copy):
    edit_yaml(compose(copy), lambda c: None)  # re-serialised without anchors or comments: still valid

    assert check(copy) == []
