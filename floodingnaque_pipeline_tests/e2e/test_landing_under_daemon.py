"""Files dropped into the landing folder of the running deployment are ingested once, by the
daemon's landing sensor, with every refused row explained."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import psycopg2
import pytest

from floodingnaque_pipeline_tests.fakes.scratch_db import query
from floodingnaque_pipeline_tests.fakes.topology import Topology

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

    # The sensor ticks every 10 s here and waits for a file to hold still for one tick.
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

    # Several more sensor intervals (10 s here): the same bytes never start another run.
    time.sleep(35)
    assert len(topology.api.runs(tags=SENSOR_TAG)) == 2


def _execute(url: str, sql: str) -> None:
    connection = psycopg2.connect(url, connect_timeout=10)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _wait_finished(topology: Topology, relative: str, count: int) -> list[dict]:
    def finished() -> list[dict] | None:
        runs = topology.api.runs(tags={**SENSOR_TAG, "dagster/partition": relative})
        done = [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        return runs if len(done) >= count and len(runs) == len(done) else None

    return topology.wait(finished, timeout=240, what=f"{count} runs for {relative}", every=2.0)


# A database fault scoped to one landing file: the run for that file fails, nothing else does.
REFUSE_FILE = """
CREATE FUNCTION refuse_retried() RETURNS trigger AS $$ BEGIN
  IF NEW.source_file = 'flood_records/retried.csv' THEN RAISE EXCEPTION 'disk full (test)'; END IF;
  RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER refuse_retried BEFORE INSERT ON flood_events
  FOR EACH ROW EXECUTE FUNCTION refuse_retried();
"""


def test_failed_and_reverted_files_are_ingested_again(
    topology: Topology, shared_data: Path
) -> None:
    """Under the real daemon: a file whose run failed is ingested on a later tick, and a file
    reverted to earlier bytes (X -> Y -> X) ends with X's rows, not Y's."""
    relative, url = "flood_records/retried.csv", topology.app_db_url
    target = Path(topology.env["FLOODINGNAQUE_LANDING_DIR"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    x = (shared_data / "flood_records" / "flood_records_2022.csv").read_bytes()
    lines = x.splitlines(keepends=True)
    y = b"".join([lines[0], *lines[40:]])  # a "correction" that drops 39 records
    rows = f"SELECT count(*) FROM flood_events WHERE source_file = '{relative}'"

    _execute(url, REFUSE_FILE)
    try:
        target.write_bytes(x)
        [failed] = _wait_finished(topology, relative, 1)
        assert failed["status"] == "FAILURE"
        assert query(url, rows) == [(0,)]
    finally:
        _execute(url, "DROP TRIGGER refuse_retried ON flood_events; DROP FUNCTION refuse_retried()")
    runs = _wait_finished(topology, relative, 2)
    assert sorted(r["status"] for r in runs) == ["FAILURE", "SUCCESS"]
    assert query(url, rows) == [(107,)]

    target.write_bytes(y)
    _wait_finished(topology, relative, 3)
    assert query(url, rows)[0][0] < 107
    target.write_bytes(x)  # reverted: the daemon never reuses a run key, so X needs a new one
    runs = _wait_finished(topology, relative, 4)
    assert [r["status"] for r in runs].count("SUCCESS") == 3, topology.logs()
    assert query(url, rows) == [(107,)]
