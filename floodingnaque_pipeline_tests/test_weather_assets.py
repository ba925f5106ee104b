"""open_meteo_raw -> weather_data through Dagster, real DBs, the real loopback stand-in."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from sqlalchemy import func, select

from floodingnaque_pipeline.db.models import RawWeatherPull, WeatherData, WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.weather.forecast import weather_forecast
from floodingnaque_pipeline.defs.weather.normalized import weather_data
from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.sources.open_meteo import api_call_weight
from floodingnaque_pipeline.sources.open_meteo_plan import ERA5
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import (
    pulls_snapshot,
    resources,
    run_partition,
    seed,
    weather_snapshot,
)

MANILA = ZoneInfo("Asia/Manila")


def _hours_in_months(first: date, months: int) -> int:
    start = datetime(first.year, first.month, 1, tzinfo=MANILA)
    year, month = first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12
    end = datetime(year, month + 1, 1, tzinfo=MANILA)
    return int((end - start) / timedelta(hours=1))


def _metadata(result: dg.ExecuteInProcessResult, node: str) -> dict:
    # A range run records one materialization per partition, all with the run's metadata.
    materialization = result.asset_materializations_for_node(node)[0]
    return {k: v.value for k, v in materialization.metadata.items()}


def test_one_partition_then_rerun_is_identical(db_url: str, fake_open_meteo: FakeOpenMeteo) -> None:
    seed(db_url, fake_open_meteo)
    first = run_partition(db_url, fake_open_meteo, "2024-07-01")
    rows = weather_snapshot(db_url)
    assert len(rows) == 16 * 31 * 24
    assert {r[2] for r in rows} == {ERA5}
    hour_ends = sorted({r[1] for r in rows})
    # The month owns the hour-ends in (start, end] in Manila time.
    assert hour_ends[0] == datetime(2024, 7, 1, 1, tzinfo=MANILA)
    assert hour_ends[-1] == datetime(2024, 8, 1, 0, tzinfo=MANILA)
    first_meta = _metadata(first, "weather_data")
    assert first_meta["inserted"] == len(rows)
    assert "| open_meteo_era5 | 2024-07-31 16:00 |" in first_meta["preview"]
    assert "| baclaran | 100.0% |" in first_meta["coverage"]
    pulls = pulls_snapshot(db_url)

    again = run_partition(db_url, fake_open_meteo, "2024-07-01")
    assert weather_snapshot(db_url) == rows  # ingested_at and raw_pull_id included
    assert pulls_snapshot(db_url) == pulls
    meta = _metadata(again, "weather_data")
    assert (meta["inserted"], meta["updated"]) == (0, 0)
    checks = {c.check_name: c.passed for c in again.get_asset_check_evaluations()}
    assert checks == {
        "values_in_range": True,
        "hourly_completeness": True,
        "core_values_present": True,
        "rows_traceable": True,
        "newest_hour_fresh": True,
    }


def test_three_month_range_is_one_run_with_the_budgeted_calls(
    db_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(db_url, fake_open_meteo)
    fake_open_meteo.reset_requests()
    result = dg.materialize(
        [open_meteo_raw, weather_data],
        resources=resources(db_url, fake_open_meteo),
        tags={
            "dagster/asset_partition_range_start": "2024-06-01",
            "dagster/asset_partition_range_end": "2024-08-01",
        },
    )
    assert result.success
    rows = weather_snapshot(db_url)
    assert len(rows) == 16 * _hours_in_months(date(2024, 6, 1), 3)
    per_location = {}
    for row in rows:
        per_location[row[0]] = per_location.get(row[0], 0) + 1
    assert set(per_location.values()) == {(30 + 31 + 31) * 24}
    # The budget's arithmetic, recomputed here from the requests the stand-in actually saw.
    seen = [p for path, p in fake_open_meteo.requests if path.endswith("/archive")]
    expected_calls = 0.0
    for params in seen:
        locations = len(params["latitude"].split(","))
        variables = len(params["hourly"].split(","))
        start, end = (date.fromisoformat(params[k]) for k in ("start_date", "end_date"))
        expected_calls += api_call_weight(locations, variables, (end - start).days + 1)
    meta = _metadata(result, "open_meteo_raw")
    assert meta["pulls"] == len(seen) == fake_open_meteo.request_count
    assert abs(meta["api_calls"] - expected_calls) < 0.01
    # Manila June 1 00:00 is May 31 16:00Z: the requests start one UTC day early.
    assert min(p["start_date"] for p in seen) == "2024-05-31"


def test_weather_data_rebuilds_from_raw_with_the_api_down(
    db_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(db_url, fake_open_meteo)
    run_partition(db_url, fake_open_meteo, "2024-02-01")
    rows = weather_snapshot(db_url)
    database = AppDatabase(db_url)
    with database.session() as session:
        session.execute(WeatherData.__table__.delete())
    database.dispose()
    fake_open_meteo.stop()
    requests_before = fake_open_meteo.request_count
    result = run_partition(db_url, fake_open_meteo, "2024-02-01", assets=[weather_data])
    assert result.success
    assert fake_open_meteo.request_count == requests_before
    rebuilt = weather_snapshot(db_url)
    assert [r[:9] for r in rebuilt] == [r[:9] for r in rows]  # all but ingested_at


def test_current_month_is_incremental_and_fills_the_forecast(
    db_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(db_url, fake_open_meteo)
    as_of = datetime(2024, 9, 18, 13, 5, tzinfo=MANILA)
    assets = [open_meteo_raw, weather_data, weather_forecast]
    run_partition(db_url, fake_open_meteo, "2024-09-01", assets=assets, as_of=as_of)
    fake_open_meteo.reset_requests()
    later = as_of + timedelta(hours=1)
    result = run_partition(db_url, fake_open_meteo, "2024-09-01", assets=assets, as_of=later)
    (params,) = [p for _, p in fake_open_meteo.requests]  # one small forecast request
    assert params["start_date"] == "2024-09-18"
    assert params["end_date"] == "2024-09-20"  # now + 2 days
    incremental_from = _metadata(result, "open_meteo_raw")["incremental_from"]
    assert incremental_from.startswith("2024-09-18T02")  # newest hour 05:00Z minus 3 h
    database = AppDatabase(db_url)
    with database.session() as session:
        newest = session.scalar(select(func.max(WeatherData.observed_at)))
        assert newest == datetime(2024, 9, 18, 14, tzinfo=MANILA)
        forecast_hours = session.scalars(select(WeatherForecast.valid_at)).all()
        assert min(forecast_hours) > later.astimezone(UTC)
        assert max(forecast_hours) == datetime(2024, 9, 20, 23, tzinfo=UTC)
        month_start = datetime(2024, 9, 1, tzinfo=MANILA)
        per_location = session.execute(
            select(WeatherData.location_id, func.count())
            .where(WeatherData.observed_at > month_start)
            .group_by(WeatherData.location_id)
        ).all()
        assert {n for _, n in per_location} == {17 * 24 + 14}  # Sep 1 01:00 .. Sep 18 14:00
        assert len(per_location) == 16
    database.dispose()


def test_no_api_call_when_nothing_is_planned(db_url: str, fake_open_meteo: FakeOpenMeteo) -> None:
    seed(db_url, fake_open_meteo)
    as_of = datetime(2024, 9, 18, 13, 5, tzinfo=MANILA)
    result = run_partition(db_url, fake_open_meteo, "2024-10-01", as_of=as_of)
    assert result.success  # a month in the future: nothing to fetch, nothing written
    assert fake_open_meteo.request_count == 0
    database = AppDatabase(db_url)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RawWeatherPull)) == 0
    database.dispose()
