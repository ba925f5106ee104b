"""docker-compose.yml validates with the Compose CLI, and says what the deployment promises.

Only the Docker client is installed here (no engine): `config` needs none. `.ci/run` installs
a Compose CLI when neither `docker compose` nor `docker-compose` is present.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from floodingnaque_pipeline_tests.conftest import REPO_ROOT


def _compose() -> list[str]:
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True)
        if plugin.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail("no Compose CLI: install docker-compose (apt-get install -y docker-compose)")


def _config(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_compose(), "--env-file", str(env_file), "-f", "docker-compose.yml", "config", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_config_validates_with_the_example_env() -> None:
    quiet = _config(REPO_ROOT / ".env.example", "-q")
    assert quiet.returncode == 0, quiet.stderr

    full = _config(REPO_ROOT / ".env.example")
    assert full.returncode == 0, full.stderr
    services = yaml.safe_load(full.stdout)["services"]
    assert {"postgres", "code", "webserver", "daemon"} <= set(services)

    postgres = services["postgres"]
    assert "ports" not in postgres  # the database is reachable from the stack only
    assert "pg_isready" in str(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_DB"] == "floodingnaque"

    published = services["webserver"]["ports"]  # Compose v2: dicts; v1: "ip:host:container"
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


def test_compose_refuses_to_start_without_a_password(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("POSTGRES_USER=floodingnaque\n")
    result = _config(empty, "-q")
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_workspace_points_at_the_code_service() -> None:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert (server["host"], server["port"]) == ("code", 4000)
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "DAGSTER_HOME=/opt/dagster/home" in dockerfile
    assert "COPY deploy/dagster.yaml workspace.yaml /opt/dagster/home/" in dockerfile
