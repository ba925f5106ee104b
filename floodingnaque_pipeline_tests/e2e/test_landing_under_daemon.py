"""Files dropped into the landing folder of the running deployment are ingested once, by the
daemon's landing sensor, with every refused row explained."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.e2e.appdb import query
from floodingnaque_pipeline_tests.e2e.topology import Topology

pytestmark = pytest.mark.postgres

SENSOR_TAG = {"dagster/sensor_name": "landing_sensor"}


def _finished_sensor_runs(topology: Topology) -> list[dict]:
    runs = topology.api.runs(tags=SENSOR_TAG)
    return [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]


def test_dropped_files_are_ingested_once(topology: Topology, shared_data: Path) -> None:
    landing = Path(topology.env["FLOODINGNAQUE_LANDING_DIR"])
    (landing / "pagasa").mkdir(parents=True, exist_ok=True)
    (landing / "flood_records").mkdir(parents=True, exist_ok=True)
    shutil.copy(shared_data / "pagasa" / "naia_daily.csv", landing / "pagasa")
    shutil.copy(shared_data / "flood_records" / "flood_records_2022.csv", landing / "flood_records")

    # The sensor ticks every 30 s and waits for a file to hold still for one tick.
    runs = topology.wait(
        lambda: (r := _finished_sensor_runs(topology)) and len(r) >= 2 and r,
        timeout=240,
        what="two landing-sensor runs",
        every=3.0,
    )
    assert {r["status"] for r in runs} == {"SUCCESS"}, topology.logs()
    url = topology.app_db_url
    assert query(url, "SELECT count(*) FROM station_observations WHERE station = 'naia'") == [
        (1827,)
    ]
    assert query(url, "SELECT count(*) FROM flood_events") == [(107,)]
    refused = query(
        url,
        "SELECT row_number, reason FROM ingest_rejections WHERE file = %s",
        ("flood_records/flood_records_2022.csv",),
    )
    assert len(refused) == 2 and all("date" in reason for _, reason in refused)

    # Two more sensor intervals: the same bytes never start another run.
    time.sleep(70)
    assert len(topology.api.runs(tags=SENSOR_TAG)) == 2
