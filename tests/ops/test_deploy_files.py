"""The container files keep the reference topology's rules (docs/operations/scale-out.md).

Dockerfile, docker-compose.yml and deploy/ are not run by the suite (no Docker daemon in CI):
these tests read them and check what would otherwise only fail on a user's machine — a
setting Balie does not know, an app node with an embedded worker, migrations through
PgBouncer, a stop that cuts the drain short, an image running as root.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

import balie.conf.settings  # noqa: F401 - importing runs every config() declaration
from balie.conf.env import declared_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "deploy" / "balie.env.example"
NGINX = ROOT / "deploy" / "nginx.conf"
PGBOUNCER = ROOT / "deploy" / "pgbouncer.ini"

BALIE_VARIABLE = re.compile(r"\b(BALIE_[A-Z0-9_]+|REDIS_URL|DATABASE_URL)\b")
DEFAULT_DRAIN_SECONDS = 20  # BALIE_DRAIN_SECONDS' documented default


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def services() -> dict:
    return compose()["services"]


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def command(service: dict) -> list[str]:
    value = service.get("command", [])
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def shell_text(service: dict) -> str:
    """Entry point and command as one text, for services that run a shell script."""
    parts = []
    for key in ("entrypoint", "command"):
        value = service.get(key, [])
        parts += [value] if isinstance(value, str) else [str(part) for part in value]
    return " ".join(parts)


def duration_seconds(text: str) -> float:
    """Compose durations: 35s, 1m30s, 1h."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    matches = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(text))
    assert matches, f"not a duration: {text!r}"
    return sum(float(number) * units[unit] for number, unit in matches)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            result.append((instruction.upper(), arguments.strip()))
    return result


def app_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in services().items()
        if command(service)[:1] == ["serve"]
        or (name.startswith("app") and "command" not in service)
    }


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [COMPOSE, ENV_EXAMPLE, DOCKERFILE], ids=lambda p: p.name)
def test_every_balie_variable_used_is_a_declared_setting(path):
    declared = {setting.name for setting in declared_settings()}
    used = set(BALIE_VARIABLE.findall(path.read_text(encoding="utf-8")))
    unknown = sorted(used - declared)
    assert not unknown, (
        f"{path.name} uses variables that src/balie/conf/settings.py does not declare: "
        f"{', '.join(unknown)}"
    )


def test_the_environment_example_leaves_every_secret_empty():
    values = env_example()
    for name in (
        "BALIE_SECRET_KEY",
        "POSTGRES_PASSWORD",
        "BALIE_S3_SECRET_ACCESS_KEY",
        "MINIO_ROOT_PASSWORD",
        "BALIE_METRICS_TOKEN",
    ):
        assert values.get(name) == "", f"{name} must be empty in the example, not a usable value"
    assert "secrets.token_urlsafe" in ENV_EXAMPLE.read_text(encoding="utf-8")


def test_every_balie_service_reads_the_environment_file():
    for name, service in services().items():
        if service.get("image", "").startswith("balie"):
            assert service.get("env_file") == "deploy/balie.env", name


# --- roles ------------------------------------------------------------------------------------


def test_app_nodes_serve_without_an_embedded_worker_on_all_interfaces():
    apps = app_services()
    assert {"app1", "app2"} <= set(apps)
    for name, service in apps.items():
        argv = command(service)
        assert argv[0] == "serve", name
        assert "--no-worker" in argv, f"{name} would start a worker beside the server"
        assert argv[argv.index("--host") + 1] == "0.0.0.0", name  # noqa: S104 - in a container
        assert argv[argv.index("--port") + 1] == "8000", name


def test_workers_exist_and_the_mail_poller_is_single():
    all_services = services()
    workers = [name for name, service in all_services.items() if command(service) == ["worker"]]
    assert len(workers) >= 1, "with serve --no-worker, nothing runs the tasks without a worker"
    pollers = [n for n, s in all_services.items() if command(s)[:2] == ["mail", "poll"]]
    assert len(pollers) <= 1, "more than one `balie mail poll` would read each mailbox twice"
    for name in pollers:
        assert "replicas" not in all_services[name].get("deploy", {}), name


def test_migrate_goes_straight_to_postgres_and_runs_before_the_nodes():
    all_services = services()
    migrate = all_services["migrate"]
    script = shell_text(migrate)
    assert "balie migrate" in script
    assert re.search(r"DATABASE_URL=\S*@postgres:5432/", script), "migrate must bypass PgBouncer"
    assert "pgbouncer" not in script
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate.get("restart") == "no"
    dependants = {**app_services(), **{n: s for n, s in all_services.items() if "worker" in n}}
    for name, service in dependants.items():
        condition = service["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_nodes_reach_postgres_through_pgbouncer_in_transaction_mode():
    values = env_example()
    assert re.match(r"postgres://balie:[^@]*@pgbouncer:6432/balie$", values["DATABASE_URL"])
    assert values["BALIE_PGBOUNCER"] == "true"
    ini = PGBOUNCER.read_text(encoding="utf-8")
    assert re.search(r"^pool_mode = transaction$", ini, re.MULTILINE)
    assert re.search(r"^listen_port = 6432$", ini, re.MULTILINE)
    assert re.search(r"^ignore_startup_parameters = .*\boptions\b", ini, re.MULTILINE)
    postgres = services()["postgres"]
    assert "jit=off" in command(postgres), "PgBouncer drops Balie's jit=off: set it on the server"
    assert (
        "./deploy/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro"
        in services()["pgbouncer"]["volumes"]
    )


def test_stopping_gives_the_drain_its_time():
    values = env_example()
    drain = int(values.get("BALIE_DRAIN_DELAY_SECONDS") or 0) + int(
        values.get("BALIE_DRAIN_SECONDS") or DEFAULT_DRAIN_SECONDS
    )
    for name, service in app_services().items():
        grace = duration_seconds(service.get("stop_grace_period", "10s"))
        assert grace > drain, f"{name}: stop_grace_period {grace}s ≤ the drain's {drain}s"
    for name, service in services().items():
        if command(service) == ["worker"]:
            # the worker finishes its running task; the embedded one is given 30 s
            assert duration_seconds(service.get("stop_grace_period", "10s")) > 30, name


def test_services_without_http_do_not_inherit_the_images_health_check():
    for name, service in services().items():
        if service.get("image", "").startswith("balie") and name not in app_services():
            assert service.get("healthcheck", {}).get("disable") is True, name


def test_redis_keeps_nothing_on_disk():
    argv = command(services()["redis"])
    assert argv[argv.index("--save") + 1] == ""
    assert argv[argv.index("--appendonly") + 1] == "no"


def test_the_load_balancer_speaks_websockets_to_every_app_node():
    conf = NGINX.read_text(encoding="utf-8")
    assert "least_conn;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert re.search(r"location /ws/ \{[^}]*proxy_read_timeout 1h;", conf)
    upstream = set(re.findall(r"^\s*server (\w+):8000\b", conf, re.MULTILINE))
    assert upstream == set(app_services()), "every app node, and only those, in the upstream"
    nginx = services()["nginx"]
    assert "127.0.0.1:8080:80" in nginx["ports"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]


def test_every_proxied_location_passes_the_host_and_the_client_address():
    # nginx inherits proxy_set_header only into a location that sets none of its own: a
    # location adding Upgrade or Connection alone would send Host `balie` (the upstream's
    # name, refused by ALLOWED_HOSTS) and lose the client's address.
    conf = re.sub(r"#[^\n]*", "", NGINX.read_text(encoding="utf-8"))
    locations = re.findall(r"\blocation ([^{]+)\{([^}]*)\}", conf)
    proxied = [(where.strip(), body) for where, body in locations if "proxy_pass" in body]
    assert {where for where, _ in proxied} == {"/ws/", "/"}
    for where, body in proxied:
        for header in (
            "proxy_set_header Host $http_host;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
        ):
            assert header in body, f"location {where} lacks {header}"


def test_forwarded_addresses_are_trusted_only_from_the_proxys_network():
    data = compose()
    subnet = data["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    for name, service in app_services().items():
        assert service["environment"]["FORWARDED_ALLOW_IPS"] == subnet, name
    assert services()["nginx"]["networks"] == {"edge": {"ipv4_address": "172.30.80.10"}}
    assert "backend" not in services()["nginx"]["networks"], "the proxy needs no database"


# --- the image --------------------------------------------------------------------------------


def test_the_image_installs_runtime_dependencies_from_the_constraints():
    runs = " ".join(args for instruction, args in dockerfile_instructions() if instruction == "RUN")
    assert re.search(r"pip install -c constraints\.txt \.(\s|$)", runs)
    assert "[test]" not in runs, "the test extra does not belong in the image"
    assert "python -m balie.ops.catalogues" in runs, "the .mo catalogues must be compiled"
    froms = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    assert len(froms) >= 2, "multi-stage: build and runtime"
    arg = dict(args.split("=", 1) for kind, args in dockerfile_instructions() if kind == "ARG")
    assert arg["PYTHON_IMAGE"] == "python:3.11-slim-bookworm"


def test_the_image_runs_as_an_unprivileged_user():
    users = [args for instruction, args in dockerfile_instructions() if instruction == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]


def test_the_image_keeps_no_secret_and_starts_an_app_node_under_tini():
    instructions = dockerfile_instructions()
    baked = " ".join(args for instruction, args in instructions if instruction in ("ENV", "ARG"))
    for secret in ("SECRET_KEY", "PASSWORD", "ACCESS_KEY", "METRICS_TOKEN", "CHECKPOINT_KEY"):
        assert secret not in baked, f"{secret} baked into the image"
    last = {instruction: args for instruction, args in instructions}
    assert yaml.safe_load(last["ENTRYPOINT"]) == ["/usr/bin/tini", "--", "balie"]
    app_node = ["serve", "--no-worker", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104
    assert yaml.safe_load(last["CMD"]) == app_node
    assert last["EXPOSE"] == "8000"
    assert "BALIE_DATA_DIR=/var/lib/balie" in baked
    assert "/var/lib/balie" in last["VOLUME"]
    assert "/healthz" in last["HEALTHCHECK"] and "'Host'" in last["HEALTHCHECK"]
    assert "BALIE_ALLOWED_HOSTS" in last["HEALTHCHECK"]


def test_the_build_context_leaves_out_data_and_secrets():
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for pattern in ("deploy/balie.env", ".git/", ".venv/", "var/", "data/", "**/*.mo"):
        assert pattern in ignored, pattern
    assert "tests/e2e/axe/node_modules/" in ignored or "tests/" in ignored


def test_the_guide_has_the_sections_the_code_refers_to():
    guide = (ROOT / "docs" / "operations" / "scale-out.md").read_text(encoding="utf-8")
    assert "\n## Stopping a node\n" in guide  # balie.ops.server and conf.lifecycle point here
    assert "\n## Sizing\n" in guide and "| 2 nodes, PostgreSQL + Redis |" in guide
    for name in ("Dockerfile", "docker-compose.yml", "deploy/balie.env.example"):
        assert name in guide, name


def test_the_image_collects_the_nl_design_system_css_from_the_lockfile():
    instructions = dockerfile_instructions()
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert "npm ci --ignore-scripts" in runs and "node build.mjs" in runs  # decision 0036
    copies = [args for instruction, args in instructions if instruction == "COPY"]
    assert any("frontend/package-lock.json" in args for args in copies)
    assert any("--from=nlds" in args and "static/balie/nlds" in args for args in copies)
    assert "frontend/node_modules/" in DOCKERIGNORE.read_text(encoding="utf-8")
