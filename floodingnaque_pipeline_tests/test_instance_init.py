"""A fresh `.dagster_local/` opened by two processes at once, as two `dg launch` open it.

Without `python -m floodingnaque_pipeline.instance_init` first, both processes may create and
stamp the SQLite run storage; its alembic_version table then holds two rows and every later
open fails with "more than one head". Each trial starts two processes that open the instance
the way `dg launch` does (no DAGSTER_HOME: a temporary home, ./dagster.yaml's storage) at the
same moment (both wait on one start file after importing Dagster), then a third one after them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.conftest import REPO_ROOT
from floodingnaque_pipeline_tests.fakes.topology import wait_until

pytestmark = pytest.mark.slow

TRIALS = 4
OPENER = """
import os, sys, tempfile, time
import dagster as dg
from dagster._core.instance.ref import InstanceRef
open(sys.argv[2], "w").close()  # ready: Dagster imported
while not os.path.exists(sys.argv[1]):
    time.sleep(0.001)
with tempfile.TemporaryDirectory(prefix=".tmp_dagster_home_", dir=os.getcwd()) as home:
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(home, config_dir=os.getcwd())) as i:
        i.get_runs(limit=1)
        i.event_log_storage.get_concurrency_keys()
        i.all_instigator_state()
"""


def _opener(folder: Path, go: Path, ready: Path) -> subprocess.Popen:
    args = [sys.executable, "-c", OPENER, str(go), str(ready)]
    return subprocess.Popen(args, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _two_at_once_then_one(folder: Path) -> list[tuple[int, str]]:
    go = folder / "go"
    ready = [folder / "ready-1", folder / "ready-2"]
    both = [_opener(folder, go, flag) for flag in ready]
    wait_until(lambda: all(f.exists() for f in ready), timeout=120, what="both openers", every=0.05)
    go.touch()
    results = [(p.wait(timeout=120), p.stdout.read().decode()[-2000:]) for p in both]  # type: ignore[union-attr]
    later = _opener(folder, go, folder / "ready-3")
    results.append((later.wait(timeout=120), later.stdout.read().decode()[-2000:]))  # type: ignore[union-attr]
    return results


@pytest.mark.parametrize("trial", range(TRIALS))
def test_concurrent_first_opens_after_init_all_succeed(tmp_path: Path, trial: int) -> None:
    (tmp_path / "dagster.yaml").write_bytes((REPO_ROOT / "dagster.yaml").read_bytes())
    init = subprocess.run(
        [sys.executable, "-m", "floodingnaque_pipeline.instance_init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    for code, output in _two_at_once_then_one(tmp_path):
        assert code == 0, output
    assert not list(tmp_path.glob(".tmp_dagster_home_*"))


def test_init_needs_the_repo_root(tmp_path: Path) -> None:
    init = subprocess.run(
        [sys.executable, "-m", "floodingnaque_pipeline.instance_init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode != 0
    assert "run this from the repo root" in init.stderr
