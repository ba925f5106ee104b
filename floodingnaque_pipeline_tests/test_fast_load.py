"""First loads COPY straight in; two runs racing on the same empty month stay correct."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import UpsertCounts, UpsertError, upsert_rows
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows

TABLE = WeatherData.__table__


def _upsert(database: AppDatabase, rows: list) -> UpsertCounts:
    with database.session() as session:
        return upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, rows)


def _count(database: AppDatabase) -> int:
    with database.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM weather_data")).scalar_one()


def _race(url: str, batches: list[list]) -> list[UpsertCounts | BaseException]:
    """Each batch upserted by its own thread, engine and connection, released together."""
    barrier = threading.Barrier(len(batches))
    results: list[UpsertCounts | BaseException] = [UpsertCounts()] * len(batches)

    def run(number: int) -> None:
        database = AppDatabase(url)
        try:
            barrier.wait(timeout=30)
            results[number] = _upsert(database, batches[number])
        except BaseException as error:  # reported by the assertion below
            results[number] = error
        finally:
            database.dispose()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[AppDatabase]:
    """Races need PostgreSQL: SQLite serialises whole transactions, there is nothing to race."""
    database = AppDatabase(pg_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def test_two_runs_racing_on_the_same_empty_month(pg_db: AppDatabase) -> None:
    app_db = pg_db
    ids = seed_locations(app_db)
    rows = weather_rows(ids, hours=24 * 30, start=datetime(2023, 2, 1, 1, tzinfo=UTC))
    results = _race(app_db_url(app_db), [rows, list(reversed(rows))])
    assert all(isinstance(r, UpsertCounts) for r in results), results
    n = len(rows)
    assert sorted(r.inserted for r in results) == [0, n]
    assert sorted(r.unchanged for r in results) == [0, n]
    assert _count(app_db) == n


def test_racing_runs_on_overlapping_ranges(pg_db: AppDatabase) -> None:
    app_db = pg_db
    ids = seed_locations(app_db)
    start = datetime(2022, 5, 20, 1, tzinfo=UTC)
    first = weather_rows(ids[:8], hours=24 * 20, start=start)
    # Same hours for the first 4 locations (rain changed), new locations beside them.
    second = [r[:5] + (r[5] + 1.0,) + r[6:] for r in weather_rows(ids[:4], 24 * 20, start)]
    second += weather_rows(ids[8:], hours=24 * 20, start=start)
    results = _race(app_db_url(app_db), [first, second])
    assert all(isinstance(r, UpsertCounts) for r in results), results
    overlap = 4 * 24 * 20
    assert sum(r.inserted for r in results) == 16 * 24 * 20
    # Whoever came second found the 4 shared locations' hours and changed (or kept) them.
    assert sum(r.updated + r.unchanged for r in results) == overlap
    assert _count(app_db) == 16 * 24 * 20


def test_first_load_then_merge_counts(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:3], hours=500, start=datetime(2021, 12, 25, 1, tzinfo=UTC))
    assert _upsert(app_db, rows) == UpsertCounts(inserted=1500)
    more = weather_rows(ids[:4], hours=520, start=datetime(2021, 12, 25, 1, tzinfo=UTC))
    assert _upsert(app_db, more) == UpsertCounts(inserted=580, unchanged=1500)
    assert _count(app_db) == 2080


def test_bad_row_in_an_empty_range_still_refuses_the_batch_by_name(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:2], hours=100, start=datetime(2020, 3, 1, 1, tzinfo=UTC))
    bad = list(rows[42])
    bad[WEATHER_COLUMNS.index("relative_humidity_pct")] = 170.0
    rows[42] = tuple(bad)
    try:
        _upsert(app_db, rows)
    except UpsertError as error:
        assert "humidity_range" in str(error) and "170.0" in str(error)
    else:
        raise AssertionError("the batch was accepted")
    assert _count(app_db) == 0


def app_db_url(database: AppDatabase) -> str:
    return database.engine.url.render_as_string(hide_password=False)
