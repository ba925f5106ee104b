"""Partitioned weather_data / raw_weather_pulls on PostgreSQL: conversion, routing, refusal."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import exc, inspect, text

from floodingnaque_pipeline.db.migrate import alembic_config
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.partitions import (
    RAW_WEATHER_PULLS,
    WEATHER_DATA,
    create_ahead,
    existing_partitions,
)
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows

CHECKSUM = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"


def _alembic(database: AppDatabase, action: str, revision: str) -> None:
    with database.engine.connect() as connection:
        getattr(command, action)(alembic_config(connection), revision)
        connection.commit()


def _checksums(database: AppDatabase) -> dict[str, tuple]:
    with database.engine.connect() as connection:
        return {
            table: tuple(connection.execute(text(CHECKSUM.format(table))).one())
            for table in ("weather_data", "raw_weather_pulls")
        }


def _fill_unpartitioned(database: AppDatabase, ids: list[int]) -> None:
    """Rows across several years, inserted before 0005 exists (plain SQL, old schema)."""
    rows = []
    for year in (2016, 2019, 2024):
        rows += weather_rows(ids[:4], hours=300, start=datetime(year, 12, 30, 1, tzinfo=UTC))
    with database.session() as session:
        upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, rows)
        for n in range(30):
            start = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=97 * n)
            session.execute(
                text(
                    "INSERT INTO raw_weather_pulls (pull_key, source, endpoint, request_params, "
                    "location_ids, window_start, window_end, fetched_at, status, payload) VALUES "
                    "(:k, 'open_meteo_era5', 'http://x', '{}', '[1]', :s, :e, :e, 'ok', :p)"
                ),
                {"k": f"key{n}", "s": start, "e": start + timedelta(days=5), "p": json.dumps([n])},
            )


def test_migration_converts_filled_tables_without_losing_a_row(pg_url: str) -> None:
    database = AppDatabase(pg_url)
    try:
        _alembic(database, "upgrade", "0004")
        ids = seed_locations(database)
        _fill_unpartitioned(database, ids)
        before = _checksums(database)
        assert before["weather_data"][0] == 3 * 4 * 300 and before["raw_weather_pulls"][0] == 30

        _alembic(database, "upgrade", "0005")  # the conversion itself: every row, byte for byte
        assert _checksums(database) == before
        _alembic(database, "upgrade", "head")  # later migrations change columns (0008)
        with database.engine.connect() as connection:
            years = {p.lower.year for p in existing_partitions(connection, "weather_data")}
            months = existing_partitions(connection, "raw_weather_pulls")
        assert {2016, 2017, 2019, 2020, 2024, 2025} <= years
        assert len(months) >= 30
        # The id sequence survived the swap: a new pull gets the next id.
        with database.session() as session:
            new_id = store_pull(
                session,
                source="open_meteo_era5",
                endpoint="http://x",
                masked_params={"n": 99},
                location_ids=[ids[0]],
                window_start=datetime(2025, 3, 1, tzinfo=UTC),
                window_end=datetime(2025, 3, 2, tzinfo=UTC),
                fetched_at=datetime(2025, 3, 3, tzinfo=UTC),
                payload={"n": 99},
                payload_bytes=9,
                run_id=None,
            )
        assert new_id == 31

        _alembic(database, "downgrade", "0004")
        after_down = _checksums(database)
        assert after_down["weather_data"] == before["weather_data"]
        assert after_down["raw_weather_pulls"][0] == 31
        assert "partitions" not in inspect(database.engine).get_schema_names()
    finally:
        database.dispose()


def test_a_row_outside_every_partition_is_refused_not_lost(pg_url: str) -> None:
    database = AppDatabase(pg_url)
    database.migrate()
    try:
        ids = seed_locations(database)
        with pytest.raises(exc.DBAPIError) as raised, database.session() as session:
            session.execute(
                text(
                    "INSERT INTO weather_data (location_id, source, observed_at) "
                    "VALUES (:id, 'x', '2101-05-01T00:00:00Z')"
                ),
                {"id": ids[0]},
            )
        assert 'no partition of relation "weather_data" found for row' in str(raised.value)
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM weather_data")).scalar() == 0
        # Through the pipeline's writer the partition is made first, and the rows land.
        rows = weather_rows(ids[:2], hours=48, start=datetime(2090, 12, 31, tzinfo=UTC))
        with database.session() as session:
            counts = upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, rows)
        assert counts == UpsertCounts(inserted=96)
        with database.engine.connect() as connection:
            years = {p.lower.year for p in existing_partitions(connection, "weather_data")}
            assert {2090, 2091} <= years
            assert connection.execute(text("SELECT count(*) FROM weather_data")).scalar() == 96
    finally:
        database.dispose()


def test_partitions_ahead_are_created_once(pg_url: str) -> None:
    database = AppDatabase(pg_url)
    database.migrate()
    try:
        now = datetime(2031, 11, 20, tzinfo=UTC)
        created = create_ahead(database.engine, now)
        assert set(created) == {
            WEATHER_DATA.name(datetime(y, 1, 1, tzinfo=UTC)) for y in (2031, 2032, 2033)
        } | {
            RAW_WEATHER_PULLS.name(datetime(y, m, 1, tzinfo=UTC))
            for y, m in ((2031, 11), (2031, 12), (2032, 1))
        }
        assert create_ahead(database.engine, now) == []
    finally:
        database.dispose()
