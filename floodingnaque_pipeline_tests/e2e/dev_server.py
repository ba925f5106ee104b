"""`dg dev` as a new user runs it: from a project folder holding the repo's dagster.yaml and
pyproject.toml, with no DAGSTER_HOME, as a real process that can be stopped and started again.

The folder stands in for a fresh clone: the two files are copied, the package is linked (dg
looks for the root module inside the project), and the app database, landing folder and
Dagster storage all land inside it, never in the repo.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.fakes.dagster_api import DagsterApi
from floodingnaque_pipeline_tests.fakes.topology import BIN, LOCATION, Service, _start, free_port

SENSOR = """
query Sensor($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status ticks(limit: 20) { id status timestamp runIds } } }
    ... on Error { message }
  }
}"""


@dataclass
class ProjectFolder:
    root: Path
    env: dict[str, str]

    @property
    def landing(self) -> Path:
        return Path(self.env["FLOODINGNAQUE_LANDING_DIR"])


def project_folder(root: Path, *, open_meteo_base: str) -> ProjectFolder:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("dagster.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, root / name)
    (root / "floodingnaque_pipeline").symlink_to(REPO_ROOT / "floodingnaque_pipeline")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "PYTEST_"))}
    env |= {
        "DATABASE_URL": "sqlite:///floodingnaque.db",  # the README's default, in this folder
        "OPEN_METEO_FORECAST_URL": f"{open_meteo_base}/v1/forecast",
        "OPEN_METEO_ARCHIVE_URL": f"{open_meteo_base}/v1/archive",
        "OPEN_METEO_ENSEMBLE_URL": f"{open_meteo_base}/v1/ensemble",
        "OPEN_METEO_PREVIOUS_RUNS_URL": f"{open_meteo_base}/previous-runs/v1/forecast",
        "OPENWEATHERMAP_API_KEY": "",
        "FLOODINGNAQUE_ALERT_WEBHOOK_URL": "",
        "FLOODINGNAQUE_LANDING_DIR": str(root / "landing"),
        # Yearly: no schedule tick can start a run while the test looks at run counts.
        "FLOODINGNAQUE_INGEST_CRON": "0 0 1 1 *",
        # The landing sensor ticks every 5 s instead of 30 s: the test waits for its ticks.
        "FLOODINGNAQUE_LANDING_INTERVAL_S": "5",
        "PYTHONUNBUFFERED": "1",
    }
    return ProjectFolder(root, env)


@contextmanager
def dg_dev(project: ProjectFolder, log_name: str) -> Iterator[tuple[Service, DagsterApi]]:
    """`dg dev` in the folder, started by the README's command (instance_init, then `dg dev`);
    on exit, SIGTERM (what Ctrl-C does) and wait until it ended."""
    port = free_port()
    init = [str(BIN / "python"), "-m", "floodingnaque_pipeline.instance_init", "dev"]
    args = [*init, "--host", "127.0.0.1", "--port", str(port)]
    logs = project.root / "logs"
    logs.mkdir(exist_ok=True)
    service = _start(log_name, args, project.env, logs, project.root)
    try:
        yield service, DagsterApi(f"http://127.0.0.1:{port}/graphql", LOCATION)
    finally:
        service.stop(grace=30.0)


def sensor_ticks(api: DagsterApi, name: str) -> list[dict]:
    selector = api._selector(sensorName=name)
    result = api(SENSOR, {"selector": selector})["sensorOrError"]
    assert result["__typename"] == "Sensor", result
    return result["sensorState"]["ticks"]
