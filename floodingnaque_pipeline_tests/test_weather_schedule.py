"""The hourly ingestion schedule: the right partition, and no hour lost across a month's end."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import func, select

from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.definitions import defs
from floodingnaque_pipeline.defs.weather.ensemble import open_meteo_ensemble
from floodingnaque_pipeline.defs.weather.schedules import (
    hourly_ingestion_job,
    hourly_ingestion_schedule,
)
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import (
    WEATHER_ASSETS,
    run_partition,
    seed,
)

MANILA = ZoneInfo("Asia/Manila")


def _evaluate(when: datetime) -> dg.RunRequest:
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=when)
        return hourly_ingestion_schedule(context)


@pytest.mark.parametrize(
    ("when", "partition"),
    [
        (datetime(2024, 8, 1, 0, 5, tzinfo=MANILA), "2024-08-01"),  # first tick of a month
        (datetime(2024, 7, 31, 23, 5, tzinfo=MANILA), "2024-07-01"),  # last tick of a month
        (datetime(2024, 8, 15, 13, 5, tzinfo=MANILA), "2024-08-01"),  # mid-month
        (datetime(2025, 1, 1, 0, 5, tzinfo=MANILA), "2025-01-01"),  # UTC is still 2024-12-31
    ],
)
def test_schedule_asks_for_the_manila_month(when: datetime, partition: str) -> None:
    request = _evaluate(when)
    assert request.partition_key == partition
    assert request.run_key and partition in request.run_key


def test_schedule_runs_hourly_at_minute_five_in_manila() -> None:
    assert hourly_ingestion_schedule.cron_schedule == "5 * * * *"
    assert hourly_ingestion_schedule.execution_timezone == "Asia/Manila"
    graph = defs.resolve_asset_graph()
    selected = {k.to_user_string() for k in hourly_ingestion_job.selection.resolve(graph)}
    assert selected == {
        "open_meteo_raw",
        "weather_data",
        "weather_forecast",
        "open_meteo_ensemble",
        "flood_risk",
    }
    # one process per run, not one per step: each step process re-imports the code location
    job = defs.resolve_job_def("hourly_ingestion")
    assert job.executor_def.name == dg.in_process_executor.name


def test_two_ticks_across_a_month_end_leave_no_hour_missing(
    db_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(db_url, fake_open_meteo)
    ticks = [datetime(2024, 7, 31, 23, 5, tzinfo=MANILA), datetime(2024, 8, 1, 0, 5, tzinfo=MANILA)]
    for tick in ticks:
        request = _evaluate(tick)
        result = run_partition(
            db_url, fake_open_meteo, request.partition_key, assets=WEATHER_ASSETS, as_of=tick
        )
        assert result.success
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            # Every hour-end of the last day of July through midnight, for every location.
            first = datetime(2024, 7, 31, 1, tzinfo=MANILA)
            last = datetime(2024, 8, 1, 0, tzinfo=MANILA)
            counts = session.execute(
                select(WeatherData.location_id, func.count(func.distinct(WeatherData.observed_at)))
                .where(WeatherData.observed_at >= first, WeatherData.observed_at <= last)
                .group_by(WeatherData.location_id)
            ).all()
            assert len(counts) == 16
            assert {n for _, n in counts} == {int((last - first) / timedelta(hours=1)) + 1}
            # The month-end hour (23:00-00:00) came from the first tick of August.
            assert session.scalar(select(func.count()).where(WeatherData.observed_at == last)) == 16
    finally:
        database.dispose()


def test_the_hours_weather_rows_are_written_before_the_ensemble_pull(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    # In one process the steps run one at a time: the ensemble (up to a 120 s budget) waits
    # until weather_data has committed the hour's rows, whatever the alphabetical order.
    seed(sqlite_url, fake_open_meteo)
    assets = [*WEATHER_ASSETS, open_meteo_ensemble]
    result = run_partition(sqlite_url, fake_open_meteo, "2024-08-01", assets=assets,
                           ensemble_url=fake_open_meteo.ensemble_url)  # fmt: skip
    assert result.success
    started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert started.index("weather_data") < started.index("open_meteo_ensemble")
