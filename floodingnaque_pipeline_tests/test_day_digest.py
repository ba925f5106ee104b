"""Per-day digests let a re-upsert skip unchanged rows; they must never hide a change."""

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from floodingnaque_pipeline.db import day_digest
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import UpsertCounts, UpsertError, upsert_rows
from floodingnaque_pipeline.db.weather import VALUE_COLUMNS
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows

TABLE = WeatherData.__table__
KEY = ["location_id", "observed_at", "source"]


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[AppDatabase]:
    database = AppDatabase(pg_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def _upsert(database: AppDatabase, rows: list) -> UpsertCounts:
    with database.session() as session:
        return upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, rows)


def _plan(database: AppDatabase, rows: list) -> day_digest.DigestPlan:
    span = (min(r[2] for r in rows), max(r[2] for r in rows))
    with database.session() as session:
        cursor = session.connection().connection.driver_connection.cursor()
        split = day_digest.plan(
            cursor, TABLE, WEATHER_COLUMNS, rows, KEY, VALUE_COLUMNS, "observed_at", span
        )
    assert split is not None
    return split


def _stored(database: AppDatabase) -> list[tuple]:
    columns = [TABLE.c[c] for c in WEATHER_COLUMNS]
    with database.session() as session:
        return sorted(tuple(r) for r in session.execute(select(*columns)))


def _with(row: tuple, column: str, value: object) -> tuple:
    values = list(row)
    values[WEATHER_COLUMNS.index(column)] = value
    return tuple(values)


def test_client_and_server_digests_agree_on_stored_rows(pg_db: AppDatabase) -> None:
    # Three days of three locations, NULLs included: every group must be recognised as
    # unchanged, else the two encodings differ and the shortcut never fires.
    ids = seed_locations(pg_db)
    rows = weather_rows(ids[:3], hours=72)
    assert any(None in row for row in rows)
    _upsert(pg_db, rows)
    split = _plan(pg_db, rows)
    assert (split.unchanged, split.new_rows, split.changed_rows) == (len(rows), [], [])


def test_a_one_ulp_change_and_null_versus_zero_are_changes(pg_db: AppDatabase) -> None:
    ids = seed_locations(pg_db)
    rows = weather_rows(ids[:2], hours=48)
    nulls = [i for i, r in enumerate(rows) if r[WEATHER_COLUMNS.index("wind_speed_kmh")] is None]
    rows[nulls[0]] = _with(rows[nulls[0]], "precipitation_mm", None)
    _upsert(pg_db, rows)
    changed = list(rows)
    tiny = changed[5][3]
    changed[5] = _with(changed[5], "temperature_c", math.nextafter(tiny, math.inf))
    changed[nulls[0]] = _with(changed[nulls[0]], "precipitation_mm", 0.0)  # NULL -> 0.0
    changed[nulls[1]] = _with(changed[nulls[1]], "wind_speed_kmh", 0.0)
    split = _plan(pg_db, changed)
    assert {changed[5], changed[nulls[0]], changed[nulls[1]]} <= set(split.changed_rows)
    assert _upsert(pg_db, changed) == UpsertCounts(0, 3, len(rows) - 3)
    assert _stored(pg_db) == sorted(changed)


def test_a_day_with_an_hour_missing_and_one_added_is_merged(pg_db: AppDatabase) -> None:
    # Same count per location in the span as stored, different hours: never "unchanged".
    ids = seed_locations(pg_db)
    start = datetime(2024, 7, 1, 0, tzinfo=UTC)
    rows = weather_rows(ids[:1], hours=24, start=start + timedelta(hours=1))
    _upsert(pg_db, rows)  # hour-ends 01:00 .. 24:00 of 1 July
    later = _with(rows[-1], "observed_at", rows[-1][2] + timedelta(hours=1))
    batch = [*rows[:22], rows[-1], later]  # 23:00 left out, 01:00 of 2 July added
    assert _upsert(pg_db, batch) == UpsertCounts(inserted=1, updated=0, unchanged=23)
    assert _stored(pg_db) == sorted([*rows, later])


def test_new_locations_are_copied_beside_unchanged_ones(pg_db: AppDatabase) -> None:
    ids = seed_locations(pg_db)
    old = weather_rows(ids[:2], hours=30)
    _upsert(pg_db, old)
    new = weather_rows(ids[2:4], hours=30)
    split = _plan(pg_db, [*old, *new])
    assert (split.unchanged, sorted(split.new_rows), split.changed_rows) == (60, sorted(new), [])
    assert _upsert(pg_db, [*old, *new]) == UpsertCounts(inserted=60, updated=0, unchanged=60)
    assert _stored(pg_db) == sorted([*old, *new])


def test_values_without_an_exact_binary_form_take_the_merge(pg_db: AppDatabase) -> None:
    # A bool in a float column is refused by COPY ("True"); the digest must not skip it.
    ids = seed_locations(pg_db)
    rows = weather_rows(ids[:1], hours=5)
    _upsert(pg_db, [_with(r, "precipitation_mm", 1.0) for r in rows])
    odd = [_with(r, "precipitation_mm", True) for r in rows]
    span = (rows[0][2], rows[-1][2])
    with pg_db.session() as session:
        cursor = session.connection().connection.driver_connection.cursor()
        assert (
            day_digest.plan(
                cursor, TABLE, WEATHER_COLUMNS, odd, KEY, VALUE_COLUMNS, "observed_at", span
            )
            is None
        )


@pytest.mark.parametrize("where", ["stored location", "new location"])
def test_a_bad_row_still_refuses_the_whole_batch_by_name(pg_db: AppDatabase, where: str) -> None:
    # Merged days and copied-in locations are one savepoint: a refusal in either leaves
    # nothing written, and the error names the row as the plain staged path does.
    ids = seed_locations(pg_db)
    stored = weather_rows(ids[:2], hours=30)
    _upsert(pg_db, stored)
    batch = [*stored, *weather_rows(ids[2:3], hours=30)]
    bad = 10 if where == "stored location" else 70
    batch[bad] = _with(batch[bad], "relative_humidity_pct", 140.0)
    with pytest.raises(UpsertError, match="humidity_range") as refused:
        _upsert(pg_db, batch)
    assert f"location_id={batch[bad][0]}" in str(refused.value)
    assert _stored(pg_db) == sorted(stored)
