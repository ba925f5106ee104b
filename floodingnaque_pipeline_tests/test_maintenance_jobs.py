"""The maintenance jobs as the code location defines them, run in-process on both backends."""

from pathlib import Path

from floodingnaque_pipeline.db.backup_manifest import read_manifest
from floodingnaque_pipeline.resources.database import DatabaseResource


def _job(name: str):
    from floodingnaque_pipeline.definitions import defs

    return defs.resolve_job_def(name)


def test_backup_job_writes_a_verified_dump_with_its_metadata(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    config = {"ops": {"backup_app_database": {"config": {"directory": str(folder), "keep": 1}}}}
    resources = {"database": DatabaseResource(database_url=db_url)}
    for _ in range(2):
        result = _job("database_backup").execute_in_process(run_config=config, resources=resources)
        assert result.success
    [output] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = output.event_specific_data.metadata
    files = list(folder.glob("floodingnaque-*"))
    assert len(files) == 1  # keep=1: the first backup was removed
    assert [b.file for b in read_manifest(folder)] == [files[0].name]  # and it is listed
    assert metadata["size_bytes"].value == files[0].stat().st_size > 0
    assert metadata["verified"].value and metadata["duration_s"].value >= 0


def test_partitions_and_archive_jobs_run(db_url: str, tmp_path: Path) -> None:
    resources = {"database": DatabaseResource(database_url=db_url)}
    assert _job("table_partitions").execute_in_process(resources=resources).success
    config = {"ops": {"archive_old_raw_pulls": {"config": {"directory": str(tmp_path)}}}}
    result = _job("archive_raw_pulls").execute_in_process(run_config=config, resources=resources)
    assert result.success and result.output_for_node("archive_old_raw_pulls") == 0


def test_maintenance_is_scheduled() -> None:
    from floodingnaque_pipeline.definitions import defs

    scheduled = {s.job_name for s in defs.schedules}
    assert {"table_partitions", "database_backup", "archive_raw_pulls"} <= scheduled
