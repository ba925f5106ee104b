"""Helpers for the labels tests: landing folders in tmp_path, runs, and table snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import dagster as dg
from sqlalchemy import text

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.labels.assets import flood_events, station_observations
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.landing import LandingZoneResource

PARTITIONS = {"pagasa": "pagasa_files", "flood_records": "flood_record_files"}
ASSETS = {"pagasa": station_observations, "flood_records": flood_events}
TABLES = {
    "station_observations": "station, observed_on",
    "flood_events": "source_file, source_row",
    "ingest_rejections": "source, file, row_number, id",
}


def drop(landing: Path, relative: str, content: bytes | Path) -> Path:
    """Put a file into the landing folder (a copy of a real file, or given bytes)."""
    target = landing / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    else:
        target.write_bytes(content)
    return target


def ingest(
    relative: str,
    db_url: str,
    landing: Path,
    instance: dg.DagsterInstance,
    raise_on_error: bool = True,
    tags: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialize the partition of one landing file, as the sensor's run would."""
    limit = {"max_bytes": max_bytes} if max_bytes else {}
    folder = relative.split("/", 1)[0]
    instance.add_dynamic_partitions(PARTITIONS[folder], [relative])
    return dg.materialize(
        [ASSETS[folder]],
        partition_key=relative,
        resources={
            "database": DatabaseResource(database_url=db_url),
            "landing": LandingZoneResource(landing_dir=str(landing), **limit),
        },
        instance=instance,
        raise_on_error=raise_on_error,
        tags=tags,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    (materialization,) = [
        m
        for node in ("station_observations", "flood_events")
        for m in result.asset_materializations_for_node(node)
    ]
    return {k: v.value for k, v in materialization.metadata.items()}


def check(
    result: dg.ExecuteInProcessResult, name: str = "rejection_ratio"
) -> dg.AssetCheckEvaluation:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


def snapshot(database: AppDatabase) -> dict[str, list[tuple[Any, ...]]]:
    """Every column of every row of the three label tables, in a stable order."""
    with database.engine.connect() as connection:
        return {
            table: [
                tuple(row)
                for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
            ]
            for table, order in TABLES.items()
        }


def query(database: AppDatabase, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def refusal(result: dg.ExecuteInProcessResult) -> tuple[str, dict[str, Any]]:
    """A run that refused its file whole: the failure's headline and metadata (a dg.Failure
    raised on purpose, not a crash)."""
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data
    assert failure.user_failure_data is not None, failure.error
    data = failure.user_failure_data
    return str(data.description), {k: v.value for k, v in data.metadata.items()}


def logged_check(
    instance: dg.DagsterInstance, run_id: str, name: str = "rejection_ratio"
) -> dg.AssetCheckEvaluation:
    """A check evaluation from the run's event log (a failed step's result omits it)."""
    logged = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    (evaluation,) = [
        e.dagster_event.asset_check_evaluation_data
        for e in logged
        if e.dagster_event and e.dagster_event.asset_check_evaluation_data.check_name == name
    ]
    return evaluation
