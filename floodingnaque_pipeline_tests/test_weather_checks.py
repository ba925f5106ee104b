"""weather_data's asset checks, each fed bad rows on a real database (both backends) and through
a real run: every check passes on good data and fails, at its severity, on bad data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from sqlalchemy import ColumnElement, delete, func, select, update

from floodingnaque_pipeline.db.models import Location, WeatherData
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import WEATHER_COLUMNS
from floodingnaque_pipeline.db.weather_quality import measure_window
from floodingnaque_pipeline.defs.weather.checks import RECENT_SPAN, check_results
from floodingnaque_pipeline.defs.weather.normalized import weather_data
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_rows import seed_locations, weather_rows
from floodingnaque_pipeline_tests.weather_runs import run_partition, seed

START = datetime(2024, 7, 1, tzinfo=UTC)
HOURS = 240  # ten days x 16 locations = 3,840 rows
END = START + timedelta(hours=HOURS)
W = WeatherData
ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN


@pytest.fixture
def window_db(app_db: AppDatabase) -> Iterator[AppDatabase]:
    """Every active location with every hour of (START, END], all from one stored raw pull."""
    ids = seed_locations(app_db)
    with app_db.session() as session:
        pull_id = store_pull(
            session, source="open_meteo_era5", endpoint="http://127.0.0.1/v1/archive",
            masked_params={}, location_ids=ids, window_start=START, window_end=END,
            fetched_at=END, payload={}, payload_bytes=2, run_id=None,
        )  # fmt: skip
        rows = [(*r, pull_id) for r in weather_rows(ids, HOURS, START + timedelta(hours=1))]
        upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, rows)
    yield app_db


def _evaluate(database: AppDatabase, *, now: datetime | None = None) -> dict[str, tuple]:
    """{check: (passed, severity)} for the window, as the asset evaluates it."""
    current = now is not None
    end = now or END
    with database.session() as session:
        quality = measure_window(session, START, end, end - RECENT_SPAN if current else None)
    results = check_results(quality, current, end)
    return {r.check_name: (r.passed, r.severity) for r in results}


def _first_location(database: AppDatabase) -> int:
    with database.session() as session:
        return session.scalar(select(func.min(Location.id)))


def _update(database: AppDatabase, where: ColumnElement[bool], **values: object) -> None:
    with database.session() as session:
        session.execute(update(WeatherData).where(where).values(**values))


def _delete_hours(database: AppDatabase, first: datetime, hours: int) -> None:
    with database.session() as session:
        session.execute(
            delete(WeatherData).where(
                WeatherData.location_id == _first_location(database),
                WeatherData.observed_at > first,
                WeatherData.observed_at <= first + timedelta(hours=hours),
            )
        )


def _failing(outcome: dict[str, tuple]) -> dict[str, dg.AssetCheckSeverity]:
    return {name: severity for name, (passed, severity) in outcome.items() if not passed}


def test_complete_clean_window_passes_every_check(window_db: AppDatabase) -> None:
    assert _failing(_evaluate(window_db)) == {}
    # ... and as the month in progress, read half an hour after its newest hour.
    assert _failing(_evaluate(window_db, now=END + timedelta(minutes=30))) == {}


@pytest.mark.parametrize(
    ("missing", "expected"),
    [(1, {"hourly_completeness": WARN}), (17, {"hourly_completeness": ERROR})],
    ids=["0.4%-warn", "7%-error"],
)
def test_missing_hours_in_a_closed_month(
    window_db: AppDatabase, missing: int, expected: dict
) -> None:
    _delete_hours(window_db, START + timedelta(hours=48), missing)
    assert _failing(_evaluate(window_db)) == expected


def test_month_in_progress_errors_on_any_recent_gap(window_db: AppDatabase) -> None:
    now = END + timedelta(minutes=30)
    _delete_hours(window_db, START + timedelta(hours=48), 1)  # an old gap: 99.6 %, warn
    assert _failing(_evaluate(window_db, now=now)) == {"hourly_completeness": WARN}
    _delete_hours(window_db, END - timedelta(hours=5), 1)  # and one the risk model reads now
    assert _failing(_evaluate(window_db, now=now)) == {"hourly_completeness": ERROR}


@pytest.mark.parametrize(
    ("rows", "expected"), [(1, WARN), (632, ERROR)], ids=["one-null-warn", "632-nulls-error"]
)
def test_null_core_values(window_db: AppDatabase, rows: int, expected) -> None:
    # The first location's first hours lose their rain, then the next locations' (632 rows
    # is what a broken run once left: 16 % of this window, far above the 0.1 % bar).
    with window_db.session() as session:
        ids = list(session.scalars(select(Location.id).order_by(Location.id)))
    for location, left in zip(ids, range(rows, 0, -HOURS), strict=False):
        last = START + timedelta(hours=min(left, HOURS))
        _update(window_db, (W.location_id == location) & (W.observed_at <= last),
                precipitation_mm=None)  # fmt: skip
    assert _failing(_evaluate(window_db)) == {"core_values_present": expected}


def test_value_out_of_range(window_db: AppDatabase) -> None:
    # 50 °C passes the table's CHECK (a guard against garbage) but is no Parañaque hour.
    _update(window_db, W.observed_at == START + timedelta(hours=3), temperature_c=50.0)
    assert _failing(_evaluate(window_db)) == {"values_in_range": ERROR}


@pytest.mark.parametrize("pointer", [999_999, None])
def test_rows_without_their_raw_pull(window_db: AppDatabase, pointer: int | None) -> None:
    _update(window_db, W.observed_at == START + timedelta(hours=3), raw_pull_id=pointer)
    assert _failing(_evaluate(window_db)) == {"rows_traceable": ERROR}


def test_stale_month_in_progress(window_db: AppDatabase) -> None:
    later = END + timedelta(hours=3)  # nothing ingested for three hours
    failing = _failing(_evaluate(window_db, now=later))
    assert failing["newest_hour_fresh"] == WARN


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, tuple]:
    return {e.check_name: (e.passed, e.severity) for e in result.get_asset_check_evaluations()}


def test_run_with_null_values_from_the_api_errors(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.inject("nulls", times=1)  # every 7th hour of a location comes back null
    result = run_partition(sqlite_url, fake_open_meteo, "2024-03-01")
    assert result.success  # stored as NULL, and said loudly
    assert _failing(_checks(result)) == {"core_values_present": ERROR}


def test_location_without_history_errors(sqlite_url: str, fake_open_meteo: FakeOpenMeteo) -> None:
    seed(sqlite_url, fake_open_meteo)
    assert run_partition(sqlite_url, fake_open_meteo, "2024-03-01").success
    database = AppDatabase(sqlite_url)
    try:
        with database.session() as session:  # added after the month was fetched
            session.add(Location(slug="new", name="New", latitude=14.5, longitude=121.0))
    finally:
        database.dispose()
    rebuilt = run_partition(sqlite_url, fake_open_meteo, "2024-03-01", assets=[weather_data])
    assert _failing(_checks(rebuilt)) == {"hourly_completeness": ERROR}
