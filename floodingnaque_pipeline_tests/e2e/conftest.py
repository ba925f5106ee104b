"""One running deployment (code server, webserver, daemon) shared by the e2e and browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.topology import Topology, running_topology

_running: list[Topology] = []


@pytest.fixture(scope="session")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    """Started once per session (about 15 s); every process is stopped at the end, pass or fail.
    The hourly schedule runs every minute here, but is stopped until a test starts it."""
    with FakeOpenMeteo() as fake:
        workdir = tmp_path_factory.mktemp("topology")
        with running_topology(workdir, fake=fake, cron="* * * * *") as topo:
            _running.append(topo)
            try:
                yield topo
            finally:
                _running.remove(topo)


@pytest.fixture(scope="session")
def locations_run(topology: Topology) -> dict:
    """The `locations` asset materialized once over GraphQL: every weather run needs it."""
    run_id = topology.api.launch_assets(["locations"])
    topology.api.wait_for_run(run_id, timeout=300, alive=topology)
    return topology.api.run(run_id)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _running:
        # The processes' own logs belong in the failure report: that is where the cause is.
        report.sections.append(("deployment process logs", _running[-1].logs(lines=80)))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every end-to-end test starts real Dagster processes: all of them are slow.
    e2e = Path(__file__).parent
    for item in items:
        if e2e in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.slow)
