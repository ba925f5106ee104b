"""The deployment under test: real code server, webserver and daemon processes on real Postgres.

Everything goes through the webserver's GraphQL API and the daemon, as in production; the only
stand-in is the Open-Meteo API (a real HTTP server on loopback). No clock is faked: the schedule
test waits for a real tick of the daemon.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from floodingnaque_pipeline.defs.weather.partitions import weather_monthly
from floodingnaque_pipeline_tests.e2e.appdb import month_keys, month_window, months_coverage
from floodingnaque_pipeline_tests.fakes.scratch_db import query
from floodingnaque_pipeline_tests.fakes.topology import SCHEDULE, Topology, kill_tree

pytestmark = pytest.mark.postgres

WEATHER = ["open_meteo_raw", "weather_data"]
LOCATIONS = 16


def _assert_complete(topology: Topology, first: str, months: int) -> None:
    cov = months_coverage(topology.app_db_url, first, months)
    start, _ = month_window(first)
    _, end = month_window(month_keys(first, months)[-1])
    hours = int((end - start).total_seconds() // 3600)
    assert cov.expected == LOCATIONS * hours
    assert (cov.rows, cov.duplicates, cov.missing) == (LOCATIONS * hours, 0, 0), cov


def _backfill_runs(topology: Topology, backfill_id: str) -> list[dict]:
    return topology.api.runs(tags={"dagster/backfill": backfill_id})


def test_launch_runs_over_graphql_lands_weather_rows(
    topology: Topology, locations_run: dict
) -> None:
    assert locations_run["status"] == "SUCCESS"
    assert query(topology.app_db_url, "SELECT count(*) FROM locations WHERE active")[0][0] == 16

    run_id = topology.api.launch_assets(WEATHER, partition="2024-07-01")
    assert topology.api.wait_for_run(run_id, timeout=300, alive=topology) == "SUCCESS"
    tags = {t["key"]: t["value"] for t in topology.api.run(run_id)["tags"]}
    assert tags["dagster/partition"] == "2024-07-01"
    _assert_complete(topology, "2024-07-01", 1)  # 16 x 744 hours


def test_partition_backfill_of_three_months_is_one_run(
    topology: Topology, locations_run: dict
) -> None:
    keys = month_keys("2024-01-01", 3)
    backfill_id = topology.api.launch_backfill(keys, WEATHER)
    status = topology.wait(
        lambda: (s := topology.api.backfill_status(backfill_id)) not in ("REQUESTED",) and s,
        timeout=360,
        every=2,
        what=f"backfill {backfill_id} to finish",
    )
    assert status in ("COMPLETED_SUCCESS", "COMPLETED"), status
    runs = _backfill_runs(topology, backfill_id)
    assert len(runs) == 1, runs  # BackfillPolicy.single_run: three months, one run
    tags = {t["key"]: t["value"] for t in runs[0]["tags"]}
    assert runs[0]["status"] == "SUCCESS"
    assert tags["dagster/asset_partition_range_start"] == keys[0]
    assert tags["dagster/asset_partition_range_end"] == keys[-1]
    _assert_complete(topology, keys[0], 3)  # 16 x (744 + 696 + 744) hours


def test_daemon_ticks_the_hourly_schedule(topology: Topology, locations_run: dict) -> None:
    api = topology.api
    schedule = api.schedule(SCHEDULE)
    assert schedule["cronSchedule"] == "* * * * *"  # FLOODINGNAQUE_INGEST_CRON, read at load
    started_at = time.time()
    assert api.start_schedule(SCHEDULE) == "RUNNING"
    try:

        def first_tick_with_run() -> dict | None:
            ticks = api.schedule(SCHEDULE)["scheduleState"]["ticks"]
            for tick in ticks:
                if tick["timestamp"] >= started_at - 1 and tick["status"] == "FAILURE":
                    raise AssertionError(f"schedule tick failed: {tick}")
            done = [t for t in ticks if t["status"] == "SUCCESS" and t["runIds"]]
            return min(done, key=lambda t: t["timestamp"]) if done else None

        # A real tick: up to a minute to the next boundary, then the daemon's evaluation.
        tick = topology.wait(first_tick_with_run, timeout=180, every=2, what="a schedule tick")
    finally:
        api.stop_schedule(SCHEDULE)  # later tests must not race hourly runs
    run_id = tick["runIds"][0]
    assert api.wait_for_run(run_id, timeout=300, alive=topology) == "SUCCESS"
    tags = {t["key"]: t["value"] for t in api.run(run_id)["tags"]}
    assert tags["dagster/schedule_name"] == SCHEDULE
    current = weather_monthly.get_partition_key_for_timestamp(datetime.now(UTC).timestamp())
    # A tick in the first minutes of a month may still name the month before.
    assert tags["dagster/partition"] in (current, *month_keys(current, 1))
    recent = query(
        topology.app_db_url,
        "SELECT count(DISTINCT location_id), max(observed_at) FROM weather_data "
        "WHERE observed_at > now() - interval '3 hours' AND observed_at <= now()",
    )[0]
    assert recent[0] == LOCATIONS, recent  # this hour's weather, for every location


def test_kill_9_mid_backfill_then_reexecute_from_failure(
    topology: Topology, locations_run: dict
) -> None:
    api, fake = topology.api, topology.fake
    keys = month_keys("2021-01-01", 24)
    # Slow answers keep open_meteo_raw busy long enough to be killed between two pulls.
    fake.inject("slow", times=40, seconds=2.0)
    try:
        # No automatic retry (dagster.yaml retries crashed runs once): this test re-executes.
        backfill_id = api.launch_backfill(keys, WEATHER, tags={"dagster/max_retries": "0"})
        runs = topology.wait(
            lambda: _backfill_runs(topology, backfill_id),
            timeout=180,
            what="the backfill's run",
        )
        run_id = runs[0]["id"]

        def first_pull_stored() -> int:
            sql = "SELECT count(*) FROM raw_weather_pulls WHERE run_id = %s"
            return query(topology.app_db_url, sql, (run_id,))[0][0]

        topology.wait(first_pull_stored, timeout=240, every=0.5, what="the first raw pull")
        workers = topology.run_workers()
        assert len(workers) == 1, f"expected one run worker, found {workers}"
        assert api.run(run_id)["status"] == "STARTED"
        killed = kill_tree(workers[0])
    finally:
        fake.clear_faults()
    print(f"killed run worker tree {killed} of run {run_id}")

    # The code server notices its dead child and marks the run failed.
    assert api.wait_for_run(run_id, timeout=180, alive=topology) == "FAILURE"
    pulls_before = query(
        topology.app_db_url, "SELECT count(*) FROM raw_weather_pulls WHERE run_id = %s", (run_id,)
    )[0][0]
    assert 0 < pulls_before, "the killed run stored nothing: it was not killed mid-way"
    gaps = months_coverage(topology.app_db_url, keys[0], len(keys))
    assert gaps.missing > 0  # weather_data never ran: the range is incomplete

    retry_id = api.reexecute(run_id, "FROM_FAILURE")
    assert api.wait_for_run(retry_id, timeout=420, alive=topology) == "SUCCESS"
    retry_tags = {t["key"]: t["value"] for t in api.run(retry_id)["tags"]}
    assert retry_tags["dagster/parent_run_id"] == run_id
    assert retry_tags["dagster/asset_partition_range_start"] == keys[0]
    assert retry_tags["dagster/asset_partition_range_end"] == keys[-1]
    _assert_complete(topology, keys[0], 24)  # zero duplicate, zero missing hours
