"""`python -m floodingnaque_pipeline_tests.fakes` (README "Try it without internet") serves the
stand-in, prints the two variables to export, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests

from floodingnaque_pipeline_tests.conftest import REPO_ROOT


def test_the_stand_in_runs_on_its_own_and_prints_its_urls() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "floodingnaque_pipeline_tests.fakes", "--port", "0"],
        cwd=REPO_ROOT,  # the README runs it from the repo root
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(4)]
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in lines if "export " in line
        )
        assert set(exports) == {"OPEN_METEO_FORECAST_URL", "OPEN_METEO_ARCHIVE_URL"}, lines
        port = exports["OPEN_METEO_ARCHIVE_URL"].split(":")[2].split("/")[0]
        assert f"port {port}" in lines[0]
        params = {
            "latitude": "14.5302",
            "longitude": "120.9971",
            "hourly": "precipitation",
            "start_date": "2024-07-01",
            "end_date": "2024-07-01",
        }
        response = requests.get(exports["OPEN_METEO_ARCHIVE_URL"], params=params, timeout=30)
        assert response.status_code == 200
        assert len(response.json()["hourly"]["precipitation"]) == 24
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
