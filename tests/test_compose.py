"""The production compose file, checked by parsing (no Docker engine here): services, ports,
health checks, start order, and every variable it sets on the app is a real setting."""

import re

import pytest
import yaml

from core.config import ROOT_DIR, Settings
from core.temporal_names import cli_search_attribute_flags

COMPOSE = yaml.safe_load((ROOT_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("api", "worker")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def _published(service: str) -> set[str]:
    """Container ports a service publishes on the host."""
    return {str(p).rsplit(":", 1)[-1] for p in SERVICES[service].get("ports", [])}


def test_the_stack_has_every_service():
    assert set(SERVICES) >= {
        "postgresql",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "api",
        "worker",
        "mailpit",
    }
    assert SERVICES["postgresql"]["image"].startswith("postgres:")
    assert SERVICES["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert SERVICES["temporal"]["environment"]["DB"] == "postgres12"  # Temporal on PostgreSQL
    assert SERVICES["temporal"]["environment"]["POSTGRES_SEEDS"] == "postgresql"
    assert SERVICES["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert SERVICES["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit:")
    for name in APP_SERVICES + ("temporal-setup",):
        assert SERVICES[name]["build"] == "." and SERVICES[name]["env_file"] == ".env"


def test_ports():
    assert _published("api") == {"8000"}
    assert _published("temporal-ui") == {"8080"}
    assert _published("mailpit") == {"8025"}  # the UI; SMTP stays on the network
    assert _published("temporal") == {"7233"}
    assert "ports" not in SERVICES["postgresql"]  # the database is not exposed


def test_workers_scale_out():
    worker = SERVICES["worker"]
    assert "ports" not in worker and "container_name" not in worker
    assert not any("container_name" in s for s in SERVICES.values())
    assert worker["command"] == ["python", "worker.py"]
    port = str(worker["environment"]["WORKER_METRICS_PORT"])
    assert worker["expose"] == [port]
    assert f":{port}/metrics" in " ".join(worker["healthcheck"]["test"])


def test_health_checks():
    for name in ("postgresql", "temporal", "api", "worker", "mailpit"):
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1, name
        assert check["retries"] >= 3
    assert "/healthz" in " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert "pg_isready" in SERVICES["postgresql"]["healthcheck"]["test"][1]


def test_start_order():
    for name, service in SERVICES.items():
        deps = service.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: use depends_on with conditions"
        for target, spec in deps.items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            assert spec["condition"] in CONDITIONS
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{target} has no health check"
    expect = {
        "temporal": {"postgresql": "service_healthy"},
        "temporal-setup": {"temporal": "service_healthy"},
        "api": {
            "postgresql": "service_healthy",
            "temporal-setup": "service_completed_successfully",
        },
        "worker": {"api": "service_healthy", "temporal-setup": "service_completed_successfully"},
    }
    for name, deps in expect.items():
        for target, condition in deps.items():
            assert SERVICES[name]["depends_on"][target]["condition"] == condition


def test_api_migrates_then_serves_the_app_factory():
    command = " ".join(SERVICES["api"]["command"])
    assert re.search(
        r"alembic upgrade head && exec uvicorn --factory api\.main:create_app", command
    )


def test_app_environment_is_made_of_real_settings():
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        unknown = set(env) - SETTING_NAMES
        assert not unknown, f"{name} sets variables that are not settings: {unknown}"
        # Literal values must parse as settings (interpolated ones come from .env at run time).
        literal = {k.lower(): v for k, v in env.items() if "${" not in str(v)}
        Settings(_env_file=None, secret_key="x" * 32, **literal)
    env = SERVICES["api"]["environment"]
    assert env["ENVIRONMENT"] == "production"
    assert (
        env["DATABASE_URL"].startswith("postgresql://")
        and "@postgresql:5432/" in env["DATABASE_URL"]
    )
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["SMTP_HOST"] == "mailpit" and env["EMAIL_CHANNEL"] == "smtp"
    # Secrets are never written in the file: they must come from .env, or compose refuses to start.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"])
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]


def test_setup_registers_exactly_nudges_search_attributes():
    command = " ".join(SERVICES["temporal-setup"]["command"])
    registered = set(re.findall(r"\b(Nudge\w+=\w+)\b", command))
    flags = cli_search_attribute_flags()
    assert registered == set(flags[1::2])
    assert "temporal operator search-attribute create" in command


def test_database_volume_persists():
    assert "pgdata" in COMPOSE["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgresql"]["volumes"]


DOCKERFILE = (ROOT_DIR / "Dockerfile").read_text()
DOCKERIGNORE = [
    line.strip()
    for line in (ROOT_DIR / ".dockerignore").read_text().splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def test_dockerfile_builds_the_frontend_then_the_python_app():
    stages = re.findall(r"^FROM (\S+)(?: AS (\S+))?", DOCKERFILE, re.M)
    assert stages[0][0].startswith("node:") and stages[-1][0].startswith("python:3.11")
    assert "npm run build" in DOCKERFILE
    assert "COPY --from=frontend /build/frontend/dist/ frontend/dist/" in DOCKERFILE
    assert re.search(r"^USER (?!root)\S+", DOCKERFILE, re.M)  # not root at run time


@pytest.mark.parametrize(
    "source",
    [
        s
        for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M)
        for s in line.split()[:-1]
    ],
)
def test_dockerfile_copies_files_that_exist(source):
    assert (ROOT_DIR / source).exists(), source
    ignored = [e.rstrip("/") for e in DOCKERIGNORE if not e.startswith(("!", "*"))]
    assert not any(source.rstrip("/") == e or source.startswith(e + "/") for e in ignored)


def test_dockerignore_keeps_secrets_and_state_out():
    for entry in (".env", ".data/", ".venv/", ".git/", "frontend/node_modules/"):
        assert entry in DOCKERIGNORE
