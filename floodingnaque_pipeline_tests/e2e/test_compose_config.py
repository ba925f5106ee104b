"""docker-compose.yml is a valid Compose file, and says what the deployment promises.

No container engine is installed for this: the file is interpolated with the example env file
and validated against the Compose specification's JSON schema (compose_spec.py). When a real
Compose CLI is on the machine, `docker compose config` must agree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.e2e.compose_spec import ComposeError, compose_config

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
EXAMPLE_ENV = REPO_ROOT / ".env.example"


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True)
        if plugin.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _cli_config(cli: list[str], env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cli, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_promises(services: dict) -> None:
    assert {"postgres", "code", "webserver", "daemon"} <= set(services)

    postgres = services["postgres"]
    assert "ports" not in postgres  # the database is reachable from the stack only
    assert "pg_isready" in str(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_DB"] == "floodingnaque"

    published = services["webserver"]["ports"]  # Compose v2: dicts; the file: "ip:host:container"
    assert len(published) == 1, published
    port = published[0]
    host_ip = port["host_ip"] if isinstance(port, dict) else port.split(":")[0]
    assert host_ip == "127.0.0.1", published  # the UI on loopback only

    for name in ("code", "webserver", "daemon"):
        env = services[name]["environment"]
        assert env["DAGSTER_PG_DB"] == "dagster"  # Dagster's storage: a database of its own
        assert env["DAGSTER_EVENT_BATCH_SIZE"] == "1000"
        waits_for = "postgres" if name == "code" else "code"
        assert services[name]["depends_on"][waits_for]["condition"] == "service_healthy"
    assert services["code"]["environment"]["DATABASE_URL"].endswith("@postgres:5432/floodingnaque")


def test_compose_file_matches_the_compose_spec(tmp_path: Path) -> None:
    # Where a Compose CLI exists (never installed for this: it brings a container engine),
    # it must agree with the schema check; the schema check below runs everywhere.
    if cli := _compose_cli():
        _real_cli_agrees(cli, tmp_path)
    config = compose_config(COMPOSE_FILE, EXAMPLE_ENV)
    _check_promises(config["services"])
    password = config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password == "change-me-to-a-long-random-string"  # from the env file
    # `$$` is Compose's escape: the container's shell sees $POSTGRES_USER.
    assert "$POSTGRES_USER" in str(config["services"]["postgres"]["healthcheck"]["test"])


def test_schema_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = yaml.safe_load(COMPOSE_FILE.read_text())
    broken["services"]["webserver"]["restart"] = ["always"]  # must be a string
    broken["services"]["daemon"]["depend_on"] = ["code"]  # a typo'd key
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(ComposeError) as info:
        compose_config(path, EXAMPLE_ENV)
    assert "services/webserver/restart" in str(info.value)
    assert "depend_on" in str(info.value)


def test_compose_refuses_to_start_without_a_password(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("POSTGRES_USER=floodingnaque\n")
    with pytest.raises(ComposeError, match="POSTGRES_PASSWORD is missing a value: set"):
        compose_config(COMPOSE_FILE, empty)


def _real_cli_agrees(cli: list[str], tmp_path: Path) -> None:
    quiet = _cli_config(cli, EXAMPLE_ENV, "-q")
    assert quiet.returncode == 0, quiet.stderr
    full = _cli_config(cli, EXAMPLE_ENV)
    assert full.returncode == 0, full.stderr
    _check_promises(yaml.safe_load(full.stdout)["services"])
    empty = tmp_path / "empty.env"
    empty.write_text("POSTGRES_USER=floodingnaque\n")
    refused = _cli_config(cli, empty, "-q")
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr


def test_workspace_points_at_the_code_service() -> None:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert (server["host"], server["port"]) == ("code", 4000)
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "DAGSTER_HOME=/opt/dagster/home" in dockerfile
    assert "COPY deploy/dagster.yaml workspace.yaml /opt/dagster/home/" in dockerfile
