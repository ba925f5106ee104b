"""The README's shell one-liner materializes a month with `dg launch`, against the stand-in, and
the run is recorded in the project's lasting Dagster storage (.dagster_local/)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from floodingnaque_pipeline_tests.e2e.dev_server import project_folder
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.topology import BIN

LOCATIONS = 16  # floodingnaque_pipeline/data/locations.csv
JULY_HOURS = 31 * 24


def _dg(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "dg"), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )


def test_dg_launch_materializes_one_month(tmp_path: Path) -> None:
    with FakeOpenMeteo() as fake:
        project = project_folder(tmp_path / "clone", open_meteo_base=fake.base_url)
        first = _dg(project.root, project.env, "launch", "--assets", "locations")
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        month = _dg(
            project.root,
            project.env,
            *("launch", "--assets", "open_meteo_raw,weather_data", "--partition", "2024-07-01"),
        )
        assert month.returncode == 0, month.stdout[-3000:] + month.stderr[-3000:]
        archive_calls = [p for p, _ in fake.requests if p == "/v1/archive"]
    assert archive_calls, "July 2024 comes from the ERA5 archive endpoint"
    with sqlite3.connect(project.root / "floodingnaque.db") as app:
        [(rows,)] = app.execute("SELECT count(*) FROM weather_data").fetchall()
    assert rows == LOCATIONS * JULY_HOURS
    with sqlite3.connect(project.root / ".dagster_local" / "history" / "runs.db") as runs:
        statuses = [s for (s,) in runs.execute("SELECT status FROM runs").fetchall()]
    assert statuses == ["SUCCESS", "SUCCESS"]


def test_two_launches_at_once_on_a_fresh_instance(tmp_path: Path) -> None:
    """The README's first-run order: instance_init, then two `dg launch` at the same moment on
    the fresh `.dagster_local/` both succeed, and a later launch still works."""
    with FakeOpenMeteo() as fake:
        project = project_folder(tmp_path / "clone", open_meteo_base=fake.base_url)
        init = subprocess.run(
            [str(BIN / "python"), "-m", "floodingnaque_pipeline.instance_init"],
            cwd=project.root,
            env=project.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert init.returncode == 0, init.stdout + init.stderr
        args = [str(BIN / "dg"), "launch", "--assets", "locations"]
        both = [
            subprocess.Popen(
                args,
                cwd=project.root,
                env=project.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=300)[0] for p in both]
        for popen, output in zip(both, outputs, strict=True):
            assert popen.returncode == 0, _ours(output) + output[-3000:]
        later = _dg(project.root, project.env, "launch", "--assets", "locations")
        assert later.returncode == 0, later.stdout[-3000:] + later.stderr[-3000:]
    with sqlite3.connect(project.root / ".dagster_local" / "history" / "runs.db") as runs:
        statuses = [s for (s,) in runs.execute("SELECT status FROM runs").fetchall()]
    assert statuses == ["SUCCESS"] * 3


def _ours(output: str) -> str:
    """Our own frames and errors first: the tail alone is mostly Dagster's wrapper frames."""
    mine = [line for line in output.splitlines() if "floodingnaque_pipeline" in line]
    return "\n".join(mine[-40:]) + "\n---- tail ----\n"
