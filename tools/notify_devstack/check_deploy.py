"""`python -m notify_devstack.check_deploy`: the manifests, vars files, docker-compose.yml and code agree.

DESIGN §5: each manifest sets every process's health check, and the same numbers feed the app's
environment (HEALTHCHECK_TIMEOUT_SECONDS) and the compose healthchecks. This command fails, listing
every problem, when they drift apart: a probe path the app does not serve, a timeout CF would reject,
a budget the app does not know about or a readiness budget that does not fit in the readiness probe,
a compose check on other timings than production's, API sizing (threads, pool, bulkheads) the API
would refuse or that compose runs differently, a start command that is not the one `make run` and
the tests use, an env name no code reads, a secret in a file, or a compose file that breaks the
compose spec or its own cross-references.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from notify_api.config import ApiSettings
from notify_shared.config import Settings
from notify_shared.health import HEALTH_PATHS, readiness_budget_seconds

from .processes import Ports, process_specs

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("preview", "staging", "production")
MANIFEST_SERVICES = ("api", "sender", "status-receiver", "scheduler")

# Which manifest process each local process is, by its name in processes.py and docker-compose.yml.
PROCESS_HOMES: dict[str, tuple[str, str]] = {
    "api": ("api", "web"),
    "status-receiver": ("status-receiver", "web"),
    "receipts-worker": ("status-receiver", "receipts-worker"),
    "callbacks-worker": ("status-receiver", "callbacks-worker"),
    "sender": ("sender", "web"),
    "scheduler": ("scheduler", "web"),
}
# Processes that only exist locally (no manifest).
LOCAL_ONLY = {"simulator", "migrate"}

# Whose code reads a process's environment: the shared package plus its own package.
CODE_DIRS: dict[str, tuple[str, ...]] = {
    "api": ("shared/notify_shared", "services/api/notify_api"),
    "sender": ("shared/notify_shared", "services/sender/notify_sender"),
    "status-receiver": ("shared/notify_shared", "services/status-receiver/notify_status_receiver"),
    "scheduler": ("shared/notify_shared", "services/scheduler/notify_scheduler"),
    "simulator": ("shared/notify_shared", "tools/notify_simulator"),
    "migrate": ("shared/notify_shared",),
}
# Read by libraries or the runtime rather than by our code.
EXTERNAL_ENV = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",  # boto3
    "WEB_CONCURRENCY",  # gunicorn's default worker count
    "PYTHONUNBUFFERED", "TZ",
}
# Never in a manifest or vars file: they come from `cf set-env` or a credentials service.
SECRET_ENV = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN"}
SECRET_NAME = re.compile(r"API_KEY|SECRET|PASSWORD|TOKEN|CREDENTIALS", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"://[^/@\s:]+:[^/@\s]+@")
# Env values that must be numbers, by the name's ending.
NUMERIC_ENV = re.compile(r"_(SECONDS|MS|SIZE|OVERFLOW|CONCURRENCY|WORKERS|THREADS|PORT|ATTEMPTS|BYTES)$")

# The API settings that decide how an instance behaves under overload, with the env names that set them.
# Compose must run the API with the same values as the manifests, or local drills prove nothing.
API_OVERLOAD_SETTINGS = {
    "gunicorn_workers": "GUNICORN_WORKERS",
    "gunicorn_threads": "GUNICORN_THREADS",
    "db_pool_size": "DB_POOL_SIZE",
    "max_in_flight": "API_MAX_IN_FLIGHT",
    "max_slow_reads": "API_MAX_SLOW_READS",
    "shared.db_max_overflow": "DB_MAX_OVERFLOW",
    "shared.db_pool_timeout_seconds": "DB_POOL_TIMEOUT_SECONDS",
    "shared.healthcheck_timeout_seconds": "HEALTHCHECK_TIMEOUT_SECONDS",
}

HEALTH_CHECK_TYPES = {"http", "port", "process"}
LIVENESS_PATHS = {"/_status/live"}
# capi-release's default cc.maximum_health_check_timeout.
MAX_START_TIMEOUT = 180
MEMORY = re.compile(r"^\d+(M|MB|G|GB)$")
VAR = re.compile(r"\(\(([A-Za-z0-9_.-]+)\)\)")
ENV_READ = re.compile(
    r"""(?:\b_env|\b_int|\b_float|\b_bool|\b_list|getenv|environ\.get|environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
)
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        line = f"{where}: {message}"
        if line not in self.problems:
            self.problems.append(line)


# ---------------------------------------------------------------- helpers


def is_whole_positive(value: Any) -> bool:
    """CF takes only integers >= 1 for timeouts and intervals (2.5 and "3" are rejected)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def parse_duration(value: Any) -> float | None:
    """A compose duration ("10s", "1m30s", "500ms") in seconds, or None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    parts = DURATION_PART.findall(value)
    if "".join(number + unit for number, unit in parts) != value:
        return None
    return sum(float(number) * DURATION_UNITS[unit] for number, unit in parts)


@lru_cache(maxsize=64)
def env_names_read(code_root: Path, dirs: tuple[str, ...]) -> frozenset[str]:
    """Environment variable names our code reads in `dirs` (tests excluded)."""
    names: set[str] = set()
    for directory in dirs:
        for path in (code_root / directory).rglob("*.py"):
            if "tests" in path.relative_to(code_root).parts:
                continue
            for match in ENV_READ.finditer(path.read_text(errors="replace")):
                names.add(match.group(1) or match.group(2))
    return frozenset(names)


def interpolate(node: Any, values: dict[str, Any], missing: set[str]) -> Any:
    """CF's ((var)) substitution: a whole-value variable keeps its type, an embedded one becomes text."""
    if isinstance(node, dict):
        return {key: interpolate(value, values, missing) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, values, missing) for item in node]
    if isinstance(node, str):
        whole = VAR.fullmatch(node)
        if whole:
            if whole.group(1) not in values:
                missing.add(whole.group(1))
                return node
            return values[whole.group(1)]

        def one(match: re.Match) -> str:
            if match.group(1) not in values:
                missing.add(match.group(1))
                return match.group(0)
            return str(values[match.group(1)])

        return VAR.sub(one, node)
    return node


def variables_used(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(variables_used(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(variables_used(v) for v in node)) if node else set()
    return set(VAR.findall(node)) if isinstance(node, str) else set()


def load_yaml(path: Path, report: Report, where: str) -> Any:
    if not path.exists():
        report.add(where, "file is missing")
        return None
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        report.add(where, f"not valid YAML: {exc}".replace("\n", " "))
        return None


def expected_commands() -> dict[str, list[str]]:
    """Each process's argv from processes.py, as a platform runs it (`python` on the PATH)."""
    return {spec.name: spec.argv for spec in process_specs(Ports(), python="python")}


def process_where(service: str, env: str, process_type: str) -> str:
    return f"deploy/{service}/manifest.yml [{env}] process {process_type}"


# ---------------------------------------------------------------- manifests


@dataclass(frozen=True)
class ManifestProcess:
    service: str
    environment: str
    app_env: dict[str, Any]
    process: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.process.get("type"))

    def env_int(self, name: str) -> int | None:
        raw = self.app_env.get(name)
        try:
            return int(str(raw)) if raw is not None else None
        except ValueError:
            return None

    def probe_budget(self) -> int | None:
        """HEALTHCHECK_TIMEOUT_SECONDS as the app reads it: the manifest's value, else the app's default."""
        if "HEALTHCHECK_TIMEOUT_SECONDS" not in self.app_env:
            return Settings.healthcheck_timeout_seconds
        return self.env_int("HEALTHCHECK_TIMEOUT_SECONDS")


def iter_processes(service: str, env: str, manifest: dict, report: Report) -> Iterator[ManifestProcess]:
    where = f"deploy/{service}/manifest.yml [{env}]"
    apps = manifest.get("applications") if isinstance(manifest, dict) else None
    if not isinstance(apps, list) or not apps:
        report.add(where, "needs an `applications:` list with one app")
        return
    for app in apps:
        if not isinstance(app, dict) or not app.get("name"):
            report.add(where, "every application needs a name")
            continue
        app_env = app.get("env") or {}
        if not isinstance(app_env, dict):
            report.add(where, "`env:` must be a mapping")
            app_env = {}
        processes = app.get("processes")
        if not isinstance(processes, list) or not processes:
            report.add(where, "needs a `processes:` list (health checks are set per process)")
            continue
        for process in processes:
            if not isinstance(process, dict) or not process.get("type"):
                report.add(where, "every process needs a `type`")
                continue
            yield ManifestProcess(service, env, app_env, process)


def check_process(mp: ManifestProcess, commands: dict[str, list[str]], report: Report) -> None:
    p, where = mp.process, process_where(mp.service, mp.environment, mp.type)
    local = next((name for name, home in PROCESS_HOMES.items() if home == (mp.service, mp.type)), None)
    if local is None:
        report.add(where, "is not a process of tools/notify_devstack/processes.py (no command to compare)")
    else:
        command = p.get("command")
        if not isinstance(command, str) or shlex.split(command) != commands[local]:
            report.add(where, f"command {command!r} is not processes.py's {shlex.join(commands[local])!r}")

    instances = p.get("instances")
    if not (isinstance(instances, int) and not isinstance(instances, bool) and instances >= 0):
        report.add(where, f"instances must be a whole number, got {instances!r}")
    for key in ("memory", "disk_quota"):
        if not MEMORY.match(str(p.get(key, ""))):
            report.add(where, f"{key} must look like 512M or 1G, got {p.get(key)!r}")

    kind = p.get("health-check-type")
    if kind not in HEALTH_CHECK_TYPES:
        report.add(where, f"health-check-type must be one of {sorted(HEALTH_CHECK_TYPES)}, got {kind!r}")
        return
    raw_budget = mp.app_env.get("HEALTHCHECK_TIMEOUT_SECONDS")
    if raw_budget is not None and mp.env_int("HEALTHCHECK_TIMEOUT_SECONDS") is None:
        report.add(where, f"env HEALTHCHECK_TIMEOUT_SECONDS must be a whole number of seconds (the app and CF "
                          f"take integers), got {raw_budget!r}")
    budget = mp.probe_budget()
    if mp.service == "api" and mp.type == "web":
        check_api_settings(where, mp.app_env, report)
    if kind == "process":
        for key in ("health-check-http-endpoint", "health-check-invocation-timeout"):
            if key in p:
                report.add(where, f"{key} has no effect on a `process` health check")
        stale = mp.app_env.get("HEARTBEAT_STALE_SECONDS")
        if stale is not None and not _positive_number(stale):
            report.add(where, f"HEARTBEAT_STALE_SECONDS must be a positive number, got {stale!r}")
    else:
        check_liveness(p, kind, budget, where, report)
    check_readiness(p, kind, budget, where, report)


def _positive_number(value: Any) -> bool:
    try:
        return float(str(value)) > 0
    except ValueError:
        return False


def check_liveness(p: dict, kind: str, budget: int | None, where: str, report: Report) -> None:
    if kind == "http":
        endpoint = p.get("health-check-http-endpoint")
        path = str(endpoint).split("?", 1)[0]
        if path not in HEALTH_PATHS:
            report.add(where, f"health-check-http-endpoint {endpoint!r} is not served by the app {HEALTH_PATHS}")
        elif not (path in LIVENESS_PATHS or (path == "/_status" and "simple=" in str(endpoint))):
            report.add(where, f"liveness endpoint {endpoint!r} checks dependencies: CF would restart instances "
                              "when the database blips (use /_status/live)")
        interval = p.get("health-check-interval")
        if not is_whole_positive(interval):
            report.add(where, f"health-check-interval must be a positive whole number, got {interval!r}")
    timeout = p.get("health-check-invocation-timeout")
    if not is_whole_positive(timeout):
        report.add(where, f"health-check-invocation-timeout must be a positive whole number, got {timeout!r}")
    elif budget is not None and budget != timeout:
        report.add(where, f"env HEALTHCHECK_TIMEOUT_SECONDS is {budget!r} but health-check-invocation-timeout "
                          f"is {timeout}: the app must know the probe's budget")
    start = p.get("timeout")
    if not (is_whole_positive(start) and start <= MAX_START_TIMEOUT):
        report.add(where, f"timeout (start timeout) must be a whole number from 1 to {MAX_START_TIMEOUT}, "
                          f"got {start!r}")


def check_readiness(p: dict, kind: str, budget: int | None, where: str, report: Report) -> None:
    readiness = p.get("readiness-health-check-type")
    if readiness is None:
        if kind == "http":
            report.add(where, "an http process needs readiness-health-check-type http on /_status/ready")
        return
    if readiness not in HEALTH_CHECK_TYPES:
        report.add(where, f"readiness-health-check-type must be one of {sorted(HEALTH_CHECK_TYPES)}, "
                          f"got {readiness!r}")
        return
    if readiness != "http":
        return
    endpoint = p.get("readiness-health-check-http-endpoint")
    if str(endpoint).split("?", 1)[0] not in HEALTH_PATHS:
        report.add(where, f"readiness-health-check-http-endpoint {endpoint!r} is not served by the app "
                          f"{HEALTH_PATHS}")
    interval = p.get("readiness-health-check-interval")
    if not is_whole_positive(interval):
        report.add(where, f"readiness-health-check-interval must be a positive whole number, got {interval!r}")
    timeout = p.get("readiness-health-check-invocation-timeout")
    if not is_whole_positive(timeout):
        report.add(where, f"readiness-health-check-invocation-timeout must be a positive whole number, "
                          f"got {timeout!r}")
    elif budget is not None and readiness_budget_seconds(budget) >= timeout:
        report.add(where, f"the app's readiness budget {readiness_budget_seconds(budget):g}s (from "
                          f"HEALTHCHECK_TIMEOUT_SECONDS {budget}) is not below readiness-health-check-invocation-"
                          f"timeout {timeout}: a slow dependency would time the probe out instead of answering 503")
    elif budget is not None and timeout < budget:
        report.add(where, f"readiness-health-check-invocation-timeout {timeout} is shorter than "
                          f"HEALTHCHECK_TIMEOUT_SECONDS {budget}, the budget the app's readiness checks use")


def api_settings(env: dict[str, Any]) -> tuple[ApiSettings | None, str | None]:
    """The API's settings as the app itself would read and validate `env` (its defaults for the rest)."""
    values = {name: str(value) for name, value in env.items() if not isinstance(value, (dict, list))}
    with mock.patch.dict(os.environ, values, clear=True):
        try:
            return ApiSettings.from_env().validate(), None
        except ValueError as exc:
            return None, str(exc)


def api_setting(settings: ApiSettings, field_path: str) -> Any:
    value: Any = settings
    for part in field_path.split("."):
        value = getattr(value, part)
    return value


def check_api_settings(where: str, env: dict[str, Any], report: Report) -> None:
    settings, refused = api_settings(env)
    if settings is None:
        report.add(where, f"the API would refuse to start with this env: {refused}")
        return
    if not settings.shed_load:
        report.add(where, "API_SHED_LOAD is off: requests would queue for connections instead of being shed "
                          "(only the incident drill's naive run turns it off)")
    if not settings.probe_fast_path:
        report.add(where, "GUNICORN_PROBE_FAST_PATH is off: probes would queue behind busy threads "
                          "(only the incident drill's naive run turns it off)")


def check_env(where: str, env: dict[str, Any], known: frozenset[str], report: Report, *, allow_secrets: bool) -> None:
    for name, value in env.items():
        if name not in known and name not in EXTERNAL_ENV:
            report.add(where, f"env {name} is not read by the code that runs there")
        if not allow_secrets and (name in SECRET_ENV or SECRET_NAME.search(name)):
            report.add(where, f"env {name} is a secret: set it with `cf set-env` or a credentials service")
        if isinstance(value, (dict, list)):
            report.add(where, f"env {name} must be a single value")
        elif not allow_secrets and URL_WITH_PASSWORD.search(str(value)):
            report.add(where, f"env {name} holds a URL with a password")
        elif NUMERIC_ENV.search(name) and not VAR.fullmatch(str(value)) and not _number(value):
            report.add(where, f"env {name} must be a number, got {value!r}")


def _number(value: Any) -> bool:
    try:
        float(str(value))
        return True
    except ValueError:
        return False


def check_manifests(root: Path, code_root: Path, report: Report) -> dict[tuple[str, str, str], ManifestProcess]:
    """Check every manifest under every environment's vars; returns processes by (service, env, type)."""
    commands = expected_commands()
    vars_by_env: dict[str, dict] = {}
    for env in ENVIRONMENTS:
        values = load_yaml(root / "deploy" / "vars" / f"{env}.yml", report, f"deploy/vars/{env}.yml")
        if values is not None and not isinstance(values, dict):
            report.add(f"deploy/vars/{env}.yml", "must be a mapping of variable names to values")
            values = None
        if values is not None:
            vars_by_env[env] = values
            for name, value in values.items():
                if SECRET_NAME.search(str(name)) or URL_WITH_PASSWORD.search(str(value)):
                    report.add(f"deploy/vars/{env}.yml", f"{name} looks like a secret; vars files are committed")

    found: dict[tuple[str, str, str], ManifestProcess] = {}
    used: set[str] = set()
    for service in MANIFEST_SERVICES:
        rel = f"deploy/{service}/manifest.yml"
        manifest = load_yaml(root / rel, report, rel)
        if manifest is None:
            continue
        used |= variables_used(manifest)
        known = env_names_read(code_root, CODE_DIRS[service])
        for env, values in vars_by_env.items():
            missing: set[str] = set()
            resolved = interpolate(manifest, values, missing)
            for name in sorted(missing):
                report.add(f"{rel} [{env}]", f"uses (({name})) but deploy/vars/{env}.yml does not define it")
            types = set()
            for mp in iter_processes(service, env, resolved, report):
                types.add(mp.type)
                found[(service, env, mp.type)] = mp
                check_process(mp, commands, report)
                check_env(f"{rel} [{env}]", mp.app_env, known, report, allow_secrets=False)
            for name, (home, process_type) in PROCESS_HOMES.items():
                if home == service and process_type not in types:
                    report.add(f"{rel} [{env}]", f"has no `{process_type}` process for processes.py's {name!r}")
    for env, values in vars_by_env.items():
        for name in sorted(set(values) - used):
            report.add(f"deploy/vars/{env}.yml", f"{name} is used by no manifest (a typo?)")
    return found


# ---------------------------------------------------------------- docker-compose.yml


_schema_results: dict[str, tuple[str, ...]] = {}


def run_compose_schema(path: Path) -> list[str]:
    """The compose spec's JSON Schema, through check-jsonschema's vendored copy (works offline).

    Remembered by content digest for the life of the process: an unchanged file is validated once.
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest not in _schema_results:
        _schema_results[digest] = _validate_compose_schema(path)
    return list(_schema_results[digest])


def _validate_compose_schema(path: Path) -> tuple[str, ...]:
    tool = Path(sys.executable).parent / "check-jsonschema"
    executable = str(tool) if tool.exists() else shutil.which("check-jsonschema")
    if executable is None:
        return ("check-jsonschema is not installed (pip install -c constraints.txt check-jsonschema)",)
    done = subprocess.run([executable, "--builtin-schema", "vendor.compose-spec", path.name], cwd=path.parent,
                          capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        return ()
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    lines = [line.removeprefix(f"{path.name}::") for line in lines]
    # Keep the located errors ("$.services.api: ..."), not check-jsonschema's headings around them.
    located = [line for line in lines if line.startswith("$")]
    return tuple(dict.fromkeys(located or lines)) or ("schema validation failed",)


def _depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {} for name in deps}
    return deps if isinstance(deps, dict) else {}


def _command(service: dict) -> list[str] | None:
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    return command if isinstance(command, list) else None


def _healthcheck_text(check: dict) -> str:
    test = check.get("test")
    return " ".join(map(str, test)) if isinstance(test, list) else str(test)


def check_compose(root: Path, code_root: Path, processes: dict[tuple[str, str, str], ManifestProcess],
                  report: Report) -> None:
    rel = "docker-compose.yml"
    compose = load_yaml(root / rel, report, rel)
    if compose is None:
        return
    for problem in run_compose_schema(root / rel):
        report.add(f"{rel} (compose spec)", problem)
    services = compose.get("services") if isinstance(compose, dict) else None
    if not isinstance(services, dict) or not services:
        report.add(rel, "has no services")
        return
    volumes = set((compose.get("volumes") or {}).keys())
    networks = set((compose.get("networks") or {}).keys()) | {"default"}

    for name, service in services.items():
        where = f"{rel} service {name}"
        if not isinstance(service, dict):
            report.add(where, "must be a mapping")
            continue
        for target, how in _depends_on(service).items():
            if target not in services:
                report.add(where, f"depends_on {target!r}, which is not a service")
            elif isinstance(how, dict) and how.get("condition") == "service_healthy" \
                    and not (services[target] or {}).get("healthcheck"):
                report.add(where, f"waits for {target!r} to be healthy but {target!r} has no healthcheck")
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0] if isinstance(mount, str) else (mount or {}).get("source", "")
            if isinstance(mount, str) and ":" not in mount:
                continue  # an anonymous volume
            if source and not source.startswith((".", "/", "~", "$")) and source not in volumes:
                report.add(where, f"mounts volume {source!r}, which is not declared under top-level volumes")
        service_networks = service.get("networks") or []
        for network in (service_networks if isinstance(service_networks, list) else service_networks.keys()):
            if network not in networks:
                report.add(where, f"joins network {network!r}, which is not declared under top-level networks")
        for port in service.get("ports") or []:
            bound = port.startswith("127.0.0.1:") if isinstance(port, str) else \
                isinstance(port, dict) and port.get("host_ip") == "127.0.0.1"
            if not bound:
                report.add(where, f"port {port!r} must be bound to 127.0.0.1 (never every interface)")
        if "build" in service:
            environment = service.get("environment") or {}
            if isinstance(environment, list):
                environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
            home = PROCESS_HOMES.get(name, (name, ""))[0]
            if home in CODE_DIRS:
                check_env(where, environment, env_names_read(code_root, CODE_DIRS[home]), report, allow_secrets=True)

    check_compose_processes(services, processes, report)


def check_compose_processes(services: dict, processes: dict[tuple[str, str, str], ManifestProcess],
                            report: Report) -> None:
    commands = expected_commands()
    for name, argv in commands.items():
        where = f"docker-compose.yml service {name}"
        service = services.get(name)
        if not isinstance(service, dict):
            report.add("docker-compose.yml", f"has no service {name!r} (a process of processes.py)")
            continue
        if _command(service) != argv:
            report.add(where, f"command {service.get('command')!r} is not processes.py's {argv!r}")
        check = service.get("healthcheck")
        if not isinstance(check, dict) or check.get("disable"):
            report.add(where, "needs a healthcheck on /_status/live")
            continue
        if not any(path in _healthcheck_text(check) for path in LIVENESS_PATHS):
            report.add(where, "healthcheck must probe /_status/live")
        interval, timeout = parse_duration(check.get("interval")), parse_duration(check.get("timeout"))
        if interval is None or timeout is None:
            report.add(where, "healthcheck needs an interval and a timeout such as 10s")
            continue
        env = service.get("environment") if isinstance(service.get("environment"), dict) else {}
        if "HEALTHCHECK_TIMEOUT_SECONDS" in env and _number(env["HEALTHCHECK_TIMEOUT_SECONDS"]) \
                and float(env["HEALTHCHECK_TIMEOUT_SECONDS"]) != timeout:
            report.add(where, f"env HEALTHCHECK_TIMEOUT_SECONDS {env['HEALTHCHECK_TIMEOUT_SECONDS']} differs "
                              f"from its healthcheck timeout {check.get('timeout')}")
        if name in PROCESS_HOMES:
            home_service, home_type = PROCESS_HOMES[name]
            for env_name in ENVIRONMENTS:
                mp = processes.get((home_service, env_name, home_type))
                if mp is not None:
                    compare_with_manifest(where, check, interval, timeout, mp, report)
                    if name == "api":
                        compare_api_settings(where, env, mp, report)


def compare_api_settings(where: str, env: dict[str, Any], mp: ManifestProcess, report: Report) -> None:
    """Compose runs the API with the manifest's overload behaviour: same threads, pool and bulkheads."""
    local, refused = api_settings(env)
    if local is None:
        report.add(where, f"the API would refuse to start with this env: {refused}")
        return
    deployed, _ = api_settings(mp.app_env)
    if deployed is None:
        return  # reported against the manifest
    source = f"deploy/{mp.service}/manifest.yml [{mp.environment}]"
    for field_path, env_name in API_OVERLOAD_SETTINGS.items():
        here, there = api_setting(local, field_path), api_setting(deployed, field_path)
        if here != there:
            report.add(where, f"{env_name} is {here:g} here but {there:g} in {source}: local runs must shed "
                              "and probe like production")


def compare_with_manifest(where: str, check: dict, interval: float, timeout: float, mp: ManifestProcess,
                          report: Report) -> None:
    source = f"deploy/{mp.service}/manifest.yml [{mp.environment}] process {mp.type}"
    p = mp.process
    if p.get("health-check-type") in ("http", "port"):
        wanted = {"interval": p.get("health-check-interval"), "timeout": p.get("health-check-invocation-timeout")}
        if p.get("health-check-type") == "port":
            wanted.pop("interval")
        for key, value in wanted.items():
            got = {"interval": interval, "timeout": timeout}[key]
            if is_whole_positive(value) and got != value:
                report.add(where, f"healthcheck {key} {check.get(key)} differs from {source}'s {value}s "
                                  f"(health-check-{'invocation-timeout' if key == 'timeout' else 'interval'})")
        return
    # A `process` check has no CF probe timings: match the budget the worker's listener is given, and
    # probe well inside the heartbeat window the watchdog enforces.
    budget = mp.probe_budget() or Settings.healthcheck_timeout_seconds
    if timeout != budget:
        report.add(where, f"healthcheck timeout {check.get('timeout')} differs from {source}'s "
                          f"HEALTHCHECK_TIMEOUT_SECONDS {budget}")
    stale = mp.env_int("HEARTBEAT_STALE_SECONDS") or Settings.heartbeat_stale_seconds
    if interval >= stale:
        report.add(where, f"healthcheck interval {check.get('interval')} is not shorter than {source}'s "
                          f"HEARTBEAT_STALE_SECONDS {stale:g}: a wedged loop would go unseen")


# ---------------------------------------------------------------- entry point


def check(root: Path = ROOT, code_root: Path = ROOT) -> list[str]:
    """Every problem found in `root`'s deploy/ and docker-compose.yml, checked against the code in `code_root`."""
    report = Report()
    processes = check_manifests(root, code_root, report)
    check_compose(root, code_root, processes, report)
    return collapse_environments(report.problems)


def collapse_environments(problems: list[str]) -> list[str]:
    """Say a problem once when every environment has it (most values are literals, not vars)."""
    tagged = re.compile(r"^(.*)\[(" + "|".join(ENVIRONMENTS) + r")\](.*)$")
    envs_by_problem: dict[tuple[str, str], set[str]] = {}
    for problem in problems:
        match = tagged.match(problem)
        if match:
            envs_by_problem.setdefault((match.group(1), match.group(3)), set()).add(match.group(2))
    out: list[str] = []
    for problem in problems:
        match = tagged.match(problem)
        if match and envs_by_problem[(match.group(1), match.group(3))] == set(ENVIRONMENTS):
            problem = f"{match.group(1)}[every environment]{match.group(3)}"
        if problem not in out:
            out.append(problem)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notify_devstack.check_deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="where deploy/ and docker-compose.yml are (default: this checkout, whose code is read)")
    args = parser.parse_args(argv)
    problems = check(args.root)
    if problems:
        print(f"deploy config: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"deploy config OK: {len(MANIFEST_SERVICES)} manifests x {len(ENVIRONMENTS)} environments, "
          "docker-compose.yml, and the code agree")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
