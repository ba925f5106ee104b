"""The README's run command keeps its history: stop `dg dev`, start it again, nothing is lost.

Without the top-level dagster.yaml, `dg dev` keeps everything in a temporary folder deleted on
exit: the restarted instance would show no runs, the schedule back at its default (RUNNING),
and the landing sensor, with no cursor, would ingest the same file a second time.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.e2e.dev_server import (
    ProjectFolder,
    dg_dev,
    project_folder,
    sensor_ticks,
)
from floodingnaque_pipeline_tests.fakes.dagster_api import TERMINAL, DagsterApi
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.topology import Service, wait_until

SCHEDULE = "hourly_ingestion_schedule"
SENSOR = "landing_sensor"
SENSOR_RUNS = {"dagster/sensor_name": SENSOR}
STARTUP_S = 120.0


def _ready(service: Service, api: DagsterApi) -> None:
    wait_until(
        lambda: api.version(), timeout=STARTUP_S, what="dg dev's webserver", alive=_Alive(service)
    )
    wait_until(api.location_loaded, timeout=STARTUP_S, what="code location", alive=_Alive(service))
    wait_until(api.daemons_healthy, timeout=STARTUP_S, what="daemon", alive=_Alive(service))


class _Alive:
    """wait_until's liveness hook for one process: fail fast, with its log, if it died."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def check_alive(self) -> None:
        self.service.check_alive()


def _landing_runs(api: DagsterApi) -> list[dict]:
    return api.runs(tags=SENSOR_RUNS)


def _ticks_after(api: DagsterApi, since: float) -> list[dict]:
    done = ("SUCCESS", "SKIPPED", "FAILURE")
    return [t for t in sensor_ticks(api, SENSOR) if t["timestamp"] > since and t["status"] in done]


@pytest.fixture
def project(tmp_path: Path, shared_data: Path) -> ProjectFolder:
    with FakeOpenMeteo() as fake:  # nothing here calls it; the URLs just never leave loopback
        folder = project_folder(tmp_path / "clone", open_meteo_base=fake.base_url)
    (folder.landing / "pagasa").mkdir(parents=True)
    shutil.copy(shared_data / "pagasa" / "naia_daily.csv", folder.landing / "pagasa")
    return folder


def test_history_schedule_state_and_landing_survive_a_restart(project: ProjectFolder) -> None:
    with dg_dev(project, "dg-dev-1") as (service, api):
        _ready(service, api)
        assert api.schedule(SCHEDULE)["scheduleState"]["status"] == "RUNNING"  # the default
        assert api.stop_schedule(SCHEDULE) == "STOPPED"
        # The sensor waits one tick for the file to hold still, then starts one run.
        [run] = wait_until(
            lambda: [r for r in _landing_runs(api) if r["status"] in TERMINAL],
            timeout=180,
            what="the landing sensor's run",
            every=2.0,
            alive=_Alive(service),
        )
        assert run["status"] == "SUCCESS", service.tail(80)
    assert not list(project.root.glob(".tmp_dagster_home_*")), "dg dev cleaned up on exit"
    restarted_at = time.time()

    with dg_dev(project, "dg-dev-2") as (service, api):
        _ready(service, api)
        # 1. the run history is still there
        assert [(r["id"], r["status"]) for r in _landing_runs(api)] == [(run["id"], "SUCCESS")]
        # 2. the schedule stays off
        assert api.schedule(SCHEDULE)["scheduleState"]["status"] == "STOPPED"
        # 3. two sensor ticks later (a file with no cursor is launched on its second tick),
        #    the landing file has not been ingested again
        wait_until(
            lambda: len(_ticks_after(api, restarted_at)) >= 2,
            timeout=120,
            what="two landing-sensor ticks after the restart",
            every=2.0,
            alive=_Alive(service),
        )
        assert [r["id"] for r in _landing_runs(api)] == [run["id"]]
    assert (project.root / ".dagster_local" / "history" / "runs.db").is_file()
    assert not list(project.root.glob(".tmp_dagster_home_*")), "dg dev cleaned up on exit"
