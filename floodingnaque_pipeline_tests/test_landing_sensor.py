"""The landing sensor on a real folder: settle, hash, request once; and a sensor-driven run."""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

import dagster as dg
import pytest

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.kinds import database_kind
from floodingnaque_pipeline.defs.labels import definitions as labels
from floodingnaque_pipeline.defs.labels.sensors import landing_sensor
from floodingnaque_pipeline.landing import (
    LandingPathError,
    list_landing_files,
    open_landing_file,
    unusable_landing_files,
)
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.landing import LandingZoneResource
from floodingnaque_pipeline_tests.labels_support import drop, query

NAIA = "pagasa/naia_daily.csv"


class Ticker:
    """Runs sensor ticks against one landing folder like the daemon: carries the cursor, and
    (with a database) executes each requested run with the request's run key and tags."""

    def __init__(self, landing: Path, database_url: str | None = None) -> None:
        self.landing = LandingZoneResource(landing_dir=str(landing))
        self.resources = {"landing": self.landing}
        self.cursor: str | None = None
        self.instance = dg.DagsterInstance.ephemeral()
        self.defs = None
        if database_url:
            self.defs = dg.Definitions(
                assets=labels.defs.assets,
                jobs=labels.defs.jobs,
                resources={"database": DatabaseResource(database_url=database_url),
                           "landing": self.landing},
            )  # fmt: skip

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            cursor=self.cursor, resources=self.resources, instance=self.instance
        )
        result = landing_sensor(context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        return result

    def run(self, request: dg.RunRequest) -> bool:
        """Execute one requested run as the daemon would; True when it succeeded."""
        assert self.defs is not None
        partitions = {"ingest_pagasa_file": "pagasa_files",
                      "ingest_flood_record_file": "flood_record_files"}  # fmt: skip
        assert request.partition_key
        self.instance.add_dynamic_partitions(
            partitions[request.job_name or ""], [request.partition_key]
        )
        job = self.defs.resolve_job_def(request.job_name or "")
        result = job.execute_in_process(
            instance=self.instance,
            partition_key=request.partition_key,
            tags={**request.tags, "dagster/run_key": request.run_key or ""},
            raise_on_error=False,
        )
        return result.success


def _set_mtime(path: Path, ns: int) -> None:
    os.utime(path, ns=(ns, ns))  # explicit, so "changed since the last tick" is deterministic


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dropped_file_is_requested_once_and_again_only_when_modified(
    shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    ticker = Ticker(tmp_path / "landing", sqlite_url)
    path = drop(tmp_path / "landing", NAIA, shared_data / NAIA)
    assert ticker.tick().run_requests == []  # first sight: may still be copying

    result = ticker.tick()
    [request] = result.run_requests
    assert request.run_key == f"{NAIA}@{_sha(path)}#1"
    assert request.partition_key == NAIA and request.job_name == "ingest_pagasa_file"
    assert request.tags == {"floodingnaque/file_sha256": _sha(path)}
    [partitions] = result.dynamic_partitions_requests
    assert partitions.partitions_def_name == "pagasa_files"
    assert list(partitions.partition_keys) == [NAIA]
    assert ticker.tick().run_requests == []  # in flight (no run yet): never a second request
    assert ticker.run(request)

    assert ticker.tick().run_requests == []  # same file after a success: nothing
    first_mtime = path.stat().st_mtime_ns
    _set_mtime(path, first_mtime + 5_000_000_000)  # touched, same bytes
    assert ticker.tick().run_requests == [] and ticker.tick().run_requests == []

    original = path.read_bytes()
    path.write_bytes(original.replace(b"2020,1,1,0.5,", b"2020,1,1,0.7,"))
    _set_mtime(path, first_mtime + 10_000_000_000)  # same size: only the mtime tells
    assert ticker.tick().run_requests == []  # changed: wait for it to settle
    [second] = ticker.tick().run_requests
    assert second.run_key == f"{NAIA}@{_sha(path)}#2"
    assert ticker.run(second)
    assert ticker.tick().run_requests == []

    # Reverted to the first bytes: ingested again (the changed version was ingested last).
    path.write_bytes(original)
    _set_mtime(path, first_mtime + 15_000_000_000)
    assert ticker.tick().run_requests == []
    [third] = ticker.tick().run_requests
    assert third.run_key == f"{NAIA}@{_sha(path)}#3" and third.run_key != request.run_key
    assert ticker.run(third)

    # Removed, then dropped again with the same bytes: nothing is ingested twice.
    path.unlink()
    assert ticker.tick().run_requests == []
    drop(tmp_path / "landing", NAIA, original)
    assert ticker.tick().run_requests == [] and ticker.tick().run_requests == []

    ticker.cursor = "{not json"  # an unreadable cursor starts over instead of failing ticks
    assert ticker.tick().run_requests == []
    assert [r.partition_key for r in ticker.tick().run_requests] == [NAIA]


def test_growing_file_waits_until_stable(shared_data: Path, tmp_path: Path) -> None:
    ticker = Ticker(tmp_path)
    lines = (shared_data / NAIA).read_bytes().splitlines(keepends=True)
    path = drop(tmp_path, NAIA, b"".join(lines[:100]))
    for end in range(200, 1000, 100):  # an upload appending between ticks
        assert ticker.tick().run_requests == []
        with path.open("ab") as handle:
            handle.write(b"".join(lines[end - 100 : end]))
    assert ticker.tick().run_requests == []  # last growth seen now
    [request] = ticker.tick().run_requests  # unchanged since the last tick: settled
    assert request.run_key == f"{NAIA}@{_sha(path)}#1"


def test_routes_by_folder_and_ignores_other_files(shared_data: Path, tmp_path: Path) -> None:
    records = "flood_records/flood_records_2022.csv"
    drop(tmp_path, records, shared_data / records)
    drop(tmp_path, NAIA, shared_data / NAIA)
    for ignored in ("pagasa/.naia_daily.csv.part", "pagasa/readme.txt", "other/x.csv"):
        drop(tmp_path, ignored, b"x")
    (tmp_path / "flood_records" / "sub.csv").mkdir()  # a folder named like a CSV
    drop(tmp_path, "flood_records/records...2021.csv", b"x")  # not a valid partition key
    assert list_landing_files(tmp_path) == [records, NAIA]
    assert unusable_landing_files(tmp_path) == [
        "flood_records/records...2021.csv (rename it: not a valid partition key)",
        # Named in the sensor's log since issue 22 item 4 (was ignored without a word).
        "flood_records/sub.csv/ (a folder named like a file; drop the CSV itself)",
    ]

    ticker = Ticker(tmp_path)
    ticker.tick()
    result = ticker.tick()
    jobs = {r.partition_key: r.job_name for r in result.run_requests}
    assert jobs == {records: "ingest_flood_record_file", NAIA: "ingest_pagasa_file"}
    added = {
        r.partitions_def_name: list(r.partition_keys) for r in result.dynamic_partitions_requests
    }
    assert added == {"flood_record_files": [records], "pagasa_files": [NAIA]}

    for bad in ("../secret.csv", "pagasa/../../x.csv", "other/x.csv", "pagasa/a/b.csv"):
        with pytest.raises(LandingPathError):
            open_landing_file(tmp_path, bad)


def test_sensor_requests_run_the_ingest_jobs_end_to_end(
    shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    """Tick -> add partitions -> execute each requested job, as the daemon would."""
    landing_dir = tmp_path / "landing"
    for relative in (NAIA, "flood_records/flood_records_2022.csv", "flood_records/raw_2023.csv"):
        drop(landing_dir, relative, shared_data / relative)
    defs = dg.Definitions(
        assets=labels.defs.assets,
        jobs=labels.defs.jobs,
        sensors=labels.defs.sensors,
        resources={
            "database": DatabaseResource(database_url=sqlite_url),
            "landing": LandingZoneResource(landing_dir=str(landing_dir)),
        },
    )
    dg.Definitions.validate_loadable(defs)
    instance = dg.DagsterInstance.ephemeral()
    ticker = Ticker(landing_dir)
    ticker.tick()
    result = ticker.tick()
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    assert len(result.run_requests) == 3
    for request in result.run_requests:
        job = defs.resolve_job_def(request.job_name)
        run = job.execute_in_process(instance=instance, partition_key=request.partition_key)
        assert run.success
    database = AppDatabase(sqlite_url)
    try:
        assert query(database, "SELECT count(*) FROM station_observations") == [(1827,)]
        per_file = query(database, "SELECT source_file, count(*) FROM flood_events "
                         "GROUP BY source_file ORDER BY source_file")  # fmt: skip
        assert per_file == [
            ("flood_records/flood_records_2022.csv", 107),
            # the export, read by the table reader: 161 records, 13 of them in two date-range
            # blocks ("1 and 2", "20-21") that label both days, one row a day
            ("flood_records/raw_2023.csv", 174),
        ]
        [(reason,)] = query(database, "SELECT reason FROM ingest_rejections WHERE file = :f",
                            f="flood_records/raw_2023.csv")  # fmt: skip
        assert "outside Parañaque" in reason  # record 45 prints its longitude twice
    finally:
        database.dispose()


def test_labels_definitions_expose_the_contract(
    monkeypatch: pytest.MonkeyPatch, shared_data: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLOODINGNAQUE_LANDING_DIR", str(tmp_path))
    defs = importlib.reload(labels).defs
    merged = dg.Definitions.merge(defs, dg.Definitions(resources={"database": DatabaseResource()}))
    dg.Definitions.validate_loadable(merged)
    specs = {s.key.to_user_string(): s for s in merged.resolve_all_asset_specs()}
    assert set(specs) == {"station_observations", "flood_events"}
    for spec in specs.values():
        assert spec.owners and spec.description and spec.kinds == {database_kind()}
        assert spec.group_name == "warehouse"
    checks = {k.name for a in defs.assets for k in a.check_keys}  # type: ignore[union-attr]
    assert checks == {"rejection_ratio", "no_cross_file_duplicates"}
    sensor = merged.resolve_sensor_def("landing_sensor")
    assert sensor.minimum_interval_seconds == 30
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    # The landing folder comes from FLOODINGNAQUE_LANDING_DIR (through dg.EnvVar).
    drop(tmp_path, NAIA, shared_data / NAIA)
    resources = {"landing": defs.resources["landing"]}
    cursor = landing_sensor(dg.build_sensor_context(resources=resources)).cursor
    result = landing_sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    assert [r.partition_key for r in result.run_requests] == [NAIA]


def test_first_tick_creates_the_landing_folders(tmp_path: Path) -> None:
    landing = tmp_path / "landing"  # a new user's checkout: no landing/ yet
    ticker = Ticker(landing)
    result = ticker.tick()
    assert result.run_requests == []
    assert (landing / "pagasa").is_dir() and (landing / "flood_records").is_dir()
    # a second tick changes nothing, and a symlinked sub-folder is never replaced
    (landing / "flood_records").rmdir()
    (landing / "flood_records").symlink_to(tmp_path)
    ticker.tick()
    assert (landing / "flood_records").is_symlink()
