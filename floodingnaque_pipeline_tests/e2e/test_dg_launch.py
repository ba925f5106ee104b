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
