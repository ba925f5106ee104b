"""Archive old raw pulls, lose them and the month's weather, restore, re-normalize: identical."""

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from floodingnaque_pipeline.db.archive import (
    PREDICTIONS,
    ArchiveError,
    archive_months,
    archived_pull_ids,
    restore_months,
)
from floodingnaque_pipeline.db.models import FloodPrediction, RawWeatherPull, WeatherData
from floodingnaque_pipeline.db.partitions import existing_partitions
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import observed_rows, upsert_weather
from floodingnaque_pipeline.db.weather_quality import measure_window
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_rows import seed_locations
from floodingnaque_pipeline_tests.weather_runs import run_partition, seed

# July 2024 in Manila begins 2024-06-30T16:00Z: its pulls fall in the June and July UTC months.
TABLE = "raw_weather_pulls"
MONTH_START = datetime(2024, 6, 30, 16, tzinfo=UTC)
MONTH_END = datetime(2024, 7, 31, 16, tzinfo=UTC)


def _weather(database: AppDatabase) -> list[tuple]:
    t = WeatherData.__table__
    columns = [c for c in t.c if c.name != "ingested_at"]  # a rewrite stamps a new time
    with database.engine.connect() as connection:
        query = select(*columns).order_by(*t.primary_key)
        return [tuple(r) for r in connection.execute(query)]


def _pull_count(database: AppDatabase) -> int:
    with database.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(RawWeatherPull)).scalar_one()


def test_archive_delete_restore_renormalize(
    db_url: str, fake_open_meteo: FakeOpenMeteo, tmp_path: Path
) -> None:
    seed(db_url, fake_open_meteo)
    run_partition(db_url, fake_open_meteo, "2024-07-01")
    run_partition(db_url, fake_open_meteo, "2024-09-01")
    database = AppDatabase(db_url)
    try:
        weather_before = _weather(database)
        pulls_before = _pull_count(database)
        assert weather_before and pulls_before > 1

        archived = archive_months(
            database.engine, tmp_path, cutoff=datetime(2024, 8, 15, tzinfo=UTC)
        )
        months = [a.month for a in archived]
        assert months and set(months) <= {"2024-06", "2024-07"}  # months of window_start
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        assert sorted(manifest[TABLE]) == months
        archived_rows = sum(a.rows for a in archived)
        assert 0 < archived_rows < pulls_before  # September's pulls stay in the database
        assert _pull_count(database) == pulls_before - archived_rows
        if database.dialect == "postgresql":  # the month's partition is gone, not just emptied
            with database.engine.connect() as connection:
                left = {f"{p.lower:%Y-%m}" for p in existing_partitions(connection, TABLE)}
            assert not left & set(months)

        # The month's weather still points at the archived pulls: traceable through the
        # archive, and only through it.
        with database.session() as session:
            assert measure_window(session, MONTH_START, MONTH_END).untraceable_rows > 0
            quality = measure_window(
                session, MONTH_START, MONTH_END, archived_pull_ids=archived_pull_ids(tmp_path)
            )
            assert quality.rows > 0 and quality.untraceable_rows == 0

        with database.session() as session:  # the month's weather is lost too
            t = WeatherData.__table__
            session.execute(
                delete(t).where(t.c.observed_at > MONTH_START, t.c.observed_at <= MONTH_END)
            )
        assert _weather(database) != weather_before

        assert restore_months(database.engine, tmp_path) == archived_rows
        assert _pull_count(database) == pulls_before
        with database.session() as session:
            counts = upsert_weather(
                session, observed_rows(session, MONTH_START, MONTH_END, overlap=timedelta(0))
            )
        assert counts.inserted > 0 and counts.updated == 0
        assert _weather(database) == weather_before
    finally:
        database.dispose()


def test_a_damaged_archive_file_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    try:
        (tmp_path / "raw_weather_pulls").mkdir()
        path = tmp_path / "raw_weather_pulls" / "2020-01.jsonl.gz"
        path.write_bytes(gzip.compress(b"{}\n"))
        entry = {"file": "raw_weather_pulls/2020-01.jsonl.gz", "rows": 1, "sha256": "0" * 64}
        manifest = {TABLE: {"2020-01": entry}}
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ArchiveError, match="sha256"):
            restore_months(database.engine, tmp_path)
        assert _pull_count(database) == 0
    finally:
        database.dispose()


def _predictions(database: AppDatabase) -> list[tuple]:
    t = FloodPrediction.__table__
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(t).order_by(t.c.id))]


def test_predictions_past_their_use_go_and_come_back(db_url: str, tmp_path: Path) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    try:
        ids = seed_locations(database)
        issued = datetime(2023, 1, 1, 6, tzinfo=UTC)
        rows = [
            (ids[n % 3], day, 0, issued, 0.1 * (n % 10), n % 3, [f"rain {n} mm"], None, "r1")
            for n, day in enumerate(date(2023, 1, 1) + timedelta(days=d) for d in range(80))
        ]
        columns = ["location_id", "valid_for", "horizon_days", "issued_at", "probability"]
        columns += ["risk_level", "reasons", "model_version_id", "run_id"]
        with database.session() as session:
            upsert_rows(
                session.connection(),
                FloodPrediction.__table__,
                columns,
                rows,
                key=["location_id", "valid_for", "issued_at"],
            )
        before = _predictions(database)

        cutoff = datetime(2023, 3, 1, tzinfo=UTC)
        archived = archive_months(database.engine, tmp_path, cutoff, PREDICTIONS)
        assert [(a.month, a.rows) for a in archived] == [("2023-01", 31), ("2023-02", 28)]
        assert len(_predictions(database)) == 80 - 59  # March stays

        assert restore_months(database.engine, tmp_path, ["2023-02"]) == 28
        assert restore_months(database.engine, tmp_path) == 59  # all; February again, unchanged
        assert _predictions(database) == before
    finally:
        database.dispose()
