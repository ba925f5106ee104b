"""A re-execution of a failed open_meteo_raw resumes: the chunks its run group already stored are
not fetched again (counted at the stand-in), and the result is the same as one clean run."""

from datetime import date
from pathlib import Path

import dagster as dg
from dagster._core.execution.job_execution_result import JobExecutionResult

from floodingnaque_pipeline.db.models import RawWeatherPull
from floodingnaque_pipeline.defs.weather.normalized import weather_data
from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import pulls_snapshot, seed, weather_snapshot

PARTITION = "2024-03-01"  # 32 UTC days: 5 archive chunks of 7 days
PARTITION_TAG = {"dagster/partition": PARTITION}  # execute_job does not carry it over
FAIL_AT_CHUNK = 3


def _settings(database_url: str, fake_url: str) -> tuple[dict, dict]:
    open_meteo = {
        "archive_url": f"{fake_url}/v1/archive",
        "forecast_url": f"{fake_url}/v1/forecast",
        "chunk_days": 7,
        "max_attempts": 1,
    }
    return {"database_url": database_url}, open_meteo


def raw_weather_job() -> dg.JobDefinition:
    """Rebuilt by Dagster for the re-execution; the resources are configured per run (run
    config), which a re-execution inherits from the run it resumes."""
    defs = dg.Definitions(
        assets=[open_meteo_raw, weather_data],
        jobs=[
            dg.define_asset_job(
                "raw_weather",
                selection=["open_meteo_raw", "weather_data"],
                executor_def=dg.in_process_executor,
            )
        ],
        resources={
            "database": DatabaseResource.configure_at_launch(),
            "open_meteo": OpenMeteoResource.configure_at_launch(),
        },
    )
    return defs.resolve_job_def("raw_weather")


def _launch(
    instance: dg.DagsterInstance, database_url: str, fake_url: str, as_of: str | None = None
) -> JobExecutionResult:
    database, open_meteo = _settings(database_url, fake_url)
    run_config: dict = {
        "resources": {"database": {"config": database}, "open_meteo": {"config": open_meteo}}
    }
    if as_of:
        ops = ("open_meteo_raw", "weather_data")
        run_config["ops"] = {op: {"config": {"as_of": as_of}} for op in ops}
    return _run(instance, run_config=run_config, tags=PARTITION_TAG)


def _run(instance: dg.DagsterInstance, **options: object) -> JobExecutionResult:
    return dg.execute_job(
        dg.reconstructable(raw_weather_job), instance, raise_on_error=False, **options
    )


def _comparable(pulls: list[tuple]) -> list[tuple]:
    """Pull rows without what differs between runs (id, fetch time, run id)."""
    columns = [c.name for c in RawWeatherPull.__table__.c if c.name != "payload"]
    drop = {columns.index(name) for name in ("id", "fetched_at", "run_id")}
    return sorted(tuple(v for i, v in enumerate(row) if i not in drop) for row in pulls)


def test_re_execution_fetches_only_the_chunks_not_stored(
    db_url: str, tmp_path: Path, fake_open_meteo: FakeOpenMeteo
) -> None:
    fake = fake_open_meteo

    # The reference: one clean run on its own database.
    sqlite_url = f"sqlite:///{tmp_path / 'reference.db'}"
    seed(sqlite_url, fake)
    fake.reset_requests()
    assets = [open_meteo_raw, weather_data]
    database, open_meteo = _settings(sqlite_url, fake.base_url)
    reference = {
        "database": DatabaseResource(**database),
        "open_meteo": OpenMeteoResource(**open_meteo),
    }
    assert dg.materialize(assets, partition_key=PARTITION, resources=reference).success
    chunks = fake.request_count
    assert chunks == 5

    seed(db_url, fake)
    fake.reset_requests()
    fake.inject("500", times=100, after=FAIL_AT_CHUNK - 1)
    with dg.instance_for_test() as instance:
        failed = _launch(instance, db_url, fake.base_url)
        assert not failed.success
        assert fake.request_count == FAIL_AT_CHUNK
        assert len(pulls_snapshot(db_url)) == FAIL_AT_CHUNK - 1

        fake.clear_faults()
        fake.reset_requests()
        options = dg.ReexecutionOptions.from_failure(failed.run_id, instance)
        resumed = _run(instance, reexecution_options=options, tags=PARTITION_TAG)
        assert resumed.success
        assert fake.request_count == chunks - (FAIL_AT_CHUNK - 1)
        (materialization,) = resumed.asset_materializations_for_node("open_meteo_raw")
        assert materialization.metadata["reused_pulls"].value == FAIL_AT_CHUNK - 1

        # A second re-execution of the same group reuses all five.
        fake.reset_requests()
        again = _run(
            instance,
            reexecution_options=dg.ReexecutionOptions(resumed.run_id, ["open_meteo_raw"]),
            tags=PARTITION_TAG,
        )
        assert again.success and fake.request_count == 0

    # Same hours, values and source pulls; only the time of loading differs.
    assert [row[:-1] for row in weather_snapshot(db_url)] == [
        row[:-1] for row in weather_snapshot(sqlite_url)
    ]
    assert _comparable(pulls_snapshot(db_url)) == _comparable(pulls_snapshot(sqlite_url))


def test_a_new_run_fetches_everything_again(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    """Only a re-execution resumes: a new run (e.g. the next hourly tick) re-checks every chunk,
    so revised ERA5 data still arrives."""
    seed(sqlite_url, fake_open_meteo)
    with dg.instance_for_test() as instance:
        assert _launch(instance, sqlite_url, fake_open_meteo.base_url).success
        fake_open_meteo.reset_requests()
        assert _launch(instance, sqlite_url, fake_open_meteo.base_url).success
    assert fake_open_meteo.request_count == 5


def test_the_month_in_progress_always_fetches_its_forecast_again(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    """On 2024-03-20 the plan is three archive chunks up to 03-15, then the forecast from 03-16:
    a re-execution reuses the archive chunks but asks for the forecast again (it changes)."""
    fake = fake_open_meteo
    fake.today = date(2024, 3, 20)
    seed(sqlite_url, fake)
    fake.reset_requests()
    fake.inject("500", times=100, after=3)  # the forecast request fails
    with dg.instance_for_test() as instance:
        failed = _launch(instance, sqlite_url, fake.base_url, as_of="2024-03-20T00:00:00+00:00")
        assert not failed.success
        assert [path for path, _ in fake.requests] == ["/v1/archive"] * 3 + ["/v1/forecast"]
        fake.clear_faults()
        fake.reset_requests()
        options = dg.ReexecutionOptions.from_failure(failed.run_id, instance)
        resumed = _run(instance, reexecution_options=options, tags=PARTITION_TAG)
        assert resumed.success
        assert [path for path, _ in fake.requests] == ["/v1/forecast"]

        fake.reset_requests()  # and again, re-executing the whole step of the resumed run
        options = dg.ReexecutionOptions(resumed.run_id, ["open_meteo_raw"])
        assert _run(instance, reexecution_options=options, tags=PARTITION_TAG).success
        assert [path for path, _ in fake.requests] == ["/v1/forecast"]
