"""A run worker killed while it holds the open_meteo_api pool slot does not block the pool.

A real worker process opens the local instance (./dagster.yaml, as `dg dev` opens it), claims
the slot for its run's open_meteo_raw step, and is SIGKILLed: nothing of its own frees the slot.
Once the run is ended (under `dg dev` and the deployment the code server notices its dead
run-worker process and reports the run failed: dagster/_grpc/server.py, the executions clean-up;
a run whose `dg launch` process was killed is ended by force-terminating it in the UI), the
daemon's run monitoring (MonitoringDaemon's slot iteration, Dagster's own code) frees the slot
after `free_slots_after_run_end_seconds`, and the next run gets it. Both dagster.yaml files set
it; without it the slot stayed claimed and the next run waited forever.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus
from dagster._daemon.monitoring import execute_concurrency_slots_iteration

from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.fakes.topology import wait_until

pytestmark = pytest.mark.slow

POOL = "open_meteo_api"
STEP = "open_meteo_raw"
WORKER = """
import os, sys
import dagster as dg
from dagster._core.instance.ref import InstanceRef
ref = InstanceRef.from_dir(sys.argv[1], config_dir=os.getcwd())
with dg.DagsterInstance.from_ref(ref) as instance:
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(sys.argv[2])
    claim = storage.claim_concurrency_slot(sys.argv[2], sys.argv[3], sys.argv[4])
    print("claimed" if claim.is_claimed else "queued", flush=True)
    sys.stdin.read()  # hold the slot until killed
"""


@pytest.fixture(params=["dagster.yaml", "deploy/dagster.yaml"])
def monitoring_settings(request: pytest.FixtureRequest) -> dict:
    return yaml.safe_load((REPO_ROOT / request.param).read_text())["run_monitoring"]


def test_both_instances_free_the_slots_of_ended_runs(monitoring_settings: dict) -> None:
    assert monitoring_settings["enabled"] is True
    assert monitoring_settings["free_slots_after_run_end_seconds"] > 0


@pytest.fixture
def local_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dagster.yaml").write_bytes((REPO_ROOT / "dagster.yaml").read_bytes())
    (tmp_path / "home").mkdir()
    ref = InstanceRef.from_dir(str(tmp_path / "home"), config_dir=str(tmp_path))
    with dg.DagsterInstance.from_ref(ref) as instance:
        yield instance


def _claimed(instance: dg.DagsterInstance) -> int:
    return len(instance.event_log_storage.get_concurrency_info(POOL).claimed_slots)


def test_killed_worker_slot_is_freed_by_the_daemon(local_instance: dg.DagsterInstance) -> None:
    instance = local_instance
    run = instance.add_run(DagsterRun(job_name="weather", status=DagsterRunStatus.STARTED))
    home = str(Path.cwd() / "home")
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, home, POOL, run.run_id, STEP],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None and worker.stdout.readline().strip() == "claimed"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert _claimed(instance) == 1  # a killed worker frees nothing itself
    instance.report_run_failed(run, "run worker killed (SIGKILL)")  # as the code server does

    daemon = SimpleNamespace(instance=instance)  # the slot iteration only reads .instance
    log = logging.getLogger("test.monitoring")

    def freed() -> bool:
        list(execute_concurrency_slots_iteration(daemon, log))  # type: ignore[arg-type]
        return _claimed(instance) == 0

    wait_until(freed, timeout=90, what="the daemon freeing the killed run's slot", every=0.5)
    nxt = instance.add_run(DagsterRun(job_name="weather", status=DagsterRunStatus.STARTED))
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, nxt.run_id, STEP)
    assert claim.is_claimed
