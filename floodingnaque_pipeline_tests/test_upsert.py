"""Bulk upsert: counts, idempotence, change detection and all-or-nothing batches."""

import pytest
from sqlalchemy import func, select, text

from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import UpsertCounts, UpsertError, upsert_rows
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows

TABLE = WeatherData.__table__


def _upsert(database: AppDatabase, rows: list) -> UpsertCounts:
    with database.session() as session:
        return upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, rows)


def _snapshot(database: AppDatabase) -> list[tuple]:
    with database.session() as session:
        columns = [TABLE.c[c] for c in WEATHER_COLUMNS]
        query = select(*columns).order_by(TABLE.c.location_id, TABLE.c.observed_at)
        return [tuple(r) for r in session.execute(query)]


def test_insert_then_same_rows_change_nothing(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:3], hours=200)
    assert _upsert(app_db, rows) == UpsertCounts(inserted=600, updated=0, unchanged=0)
    first = _snapshot(app_db)
    assert len(first) == 600
    assert _upsert(app_db, rows) == UpsertCounts(inserted=0, updated=0, unchanged=600)
    assert _snapshot(app_db) == first
    # Values round-trip exactly, NULLs and aware UTC timestamps included.
    assert sorted(first) == sorted(rows)


def test_changed_values_update_exactly_those_rows(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:2], hours=100)
    _upsert(app_db, rows)
    changed = list(rows)
    for i in (3, 50, 150):
        row = list(changed[i])
        row[5] = (row[5] or 0.0) + 1.5  # more rain
        changed[i] = tuple(row)
    row = list(changed[7])
    row[7] = None if row[7] is not None else 4.0  # NULL <-> value is a change too
    changed[7] = tuple(row)
    new_row = (ids[2], *rows[0][1:])
    assert _upsert(app_db, [*changed, new_row]) == UpsertCounts(1, 4, 196)
    assert sorted(_snapshot(app_db)) == sorted([*changed, new_row])


@pytest.mark.parametrize(
    ("column", "bad_value", "constraint"),
    [("relative_humidity_pct", 140.0, "humidity_range"), ("precipitation_mm", -2.0, "precip")],
)
def test_invalid_row_refuses_whole_batch(
    app_db: AppDatabase, column: str, bad_value: float, constraint: str
) -> None:
    ids = seed_locations(app_db)
    _upsert(app_db, weather_rows(ids[:1], hours=24))
    before = _snapshot(app_db)
    batch = weather_rows(ids[:2], hours=48)  # updates for loc 1 and new rows for loc 2
    batch = [tuple(r[:5]) + (r[5] + 9.0,) + tuple(r[6:]) for r in batch]
    bad = list(batch[60])
    bad[WEATHER_COLUMNS.index(column)] = bad_value
    batch[60] = tuple(bad)
    with pytest.raises(UpsertError) as raised:
        _upsert(app_db, batch)
    message = str(raised.value)
    assert "weather_data" in message and constraint in message
    assert str(bad_value) in message  # the offending row is named by its values
    assert f"location_id={bad[0]}" in message
    assert _snapshot(app_db) == before


def test_duplicate_key_in_batch_is_refused(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:1], hours=10)
    with pytest.raises(UpsertError, match="more than once"):
        _upsert(app_db, [*rows, rows[4]])
    assert _snapshot(app_db) == []


def test_key_given_twice_for_a_stored_row_is_refused(app_db: AppDatabase) -> None:
    # The merge path (the range holds rows): no copy of the key may silently win.
    ids = seed_locations(app_db)
    rows = weather_rows(ids[:1], hours=10)
    _upsert(app_db, rows)
    before = _snapshot(app_db)
    wetter = (*rows[4][:5], (rows[4][5] or 0.0) + 3.0, *rows[4][6:])
    with pytest.raises(UpsertError, match="more than once"):
        _upsert(app_db, [*rows, wetter])
    assert _snapshot(app_db) == before


def test_unknown_location_is_refused(app_db: AppDatabase) -> None:
    seed_locations(app_db)
    rows = weather_rows([999_999], hours=3)
    with pytest.raises(UpsertError, match="does not exist in locations"):
        _upsert(app_db, rows)
    with app_db.session() as session:
        assert session.scalar(select(func.count()).select_from(TABLE)) == 0


def test_upsert_leaves_no_staging_tables(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)
    with app_db.session() as session:
        upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, weather_rows(ids[:1], 5))
        upsert_rows(session.connection(), TABLE, WEATHER_COLUMNS, weather_rows(ids[:1], 6))
        if app_db.dialect == "postgresql":
            query = "SELECT count(*) FROM pg_tables WHERE tablename LIKE '_stage_%'"
        else:
            query = "SELECT count(*) FROM sqlite_temp_master WHERE name LIKE '_stage_%'"
        assert session.execute(text(query)).scalar_one() == 0
