"""Archive old raw pulls, lose them and the month's weather, restore, re-normalize: identical."""

import gzip
import json
import os
import signal
import subprocess
import sys
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
from floodingnaque_pipeline.db.raw_pulls import store_pull
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
        lines: list[str] = []  # issue 21 item 7: one progress line per month, in the run log
        archived = archive_months(database.engine, tmp_path, cutoff, PREDICTIONS, log=lines.append)
        assert [(a.month, a.rows) for a in archived] == [("2023-01", 31), ("2023-02", 28)]
        assert len(_predictions(database)) == 80 - 59  # March stays
        assert lines[0].startswith("archive flood_predictions: month 1 of 2 (2023-01), 31 rows")
        assert "ETA" in lines[0] and "59 rows" in lines[1] and "done in" in lines[1]

        assert restore_months(database.engine, tmp_path, ["2023-02"], log=lines.append) == 28
        assert lines[-1].startswith("restore: month 1 of 1 (flood_predictions 2023-02), 28 rows")
        assert restore_months(database.engine, tmp_path) == 59  # all; February again, unchanged
        assert _predictions(database) == before
    finally:
        database.dispose()


# --- crash safety -----------------------------------------------------------------------------

CUTOFF = datetime(2021, 6, 1, tzinfo=UTC)
STEPS = ["file_written", "manifest_written", "rows_dropped", "committed"]
# Archives raw pulls, killing itself (SIGKILL, as `kill -9`) at the 2nd time `step` is reached.
CRASHING_ARCHIVE = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from floodingnaque_pipeline.db.archive import archive_months
from floodingnaque_pipeline.db.session import AppDatabase

url, folder, cutoff, step = sys.argv[1:]
seen = []
def on_step(name):
    seen.append(name)
    if name == step and seen.count(step) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
database = AppDatabase(url)
archive_months(database.engine, Path(folder), datetime.fromisoformat(cutoff), on_step=on_step)
"""


def _seed_pulls(database: AppDatabase) -> None:
    ids = seed_locations(database)
    with database.session() as session:
        for n in range(16):
            start = datetime(2020, 1, 3, tzinfo=UTC) + timedelta(days=40 * n)
            store_pull(
                session,
                source="open_meteo_era5",
                endpoint="http://archive",
                masked_params={"n": n},
                location_ids=ids[:2],
                window_start=start,
                window_end=start + timedelta(days=7),
                fetched_at=start + timedelta(days=30),
                payload={"hourly": {"n": [n, None, 1.5]}},
                payload_bytes=40,
                run_id="run-1",
            )


def _pulls(database: AppDatabase) -> list[tuple]:
    t = RawWeatherPull.__table__
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(t).order_by(t.c.id))]


@pytest.mark.parametrize("step", STEPS)
def test_kill_9_at_any_step_then_a_rerun_loses_nothing(
    db_url: str, tmp_path: Path, step: str
) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    try:
        _seed_pulls(database)
        before = _pulls(database)
        starts = RawWeatherPull.__table__.c.keys().index("window_start")
        due = [p for p in before if p[starts] < CUTOFF]
        crashed = subprocess.run(
            [
                sys.executable,
                "-c",
                CRASHING_ARCHIVE,
                db_url,
                str(tmp_path),
                CUTOFF.isoformat(),
                step,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert crashed.returncode == -signal.SIGKILL, crashed.stderr

        archive_months(database.engine, tmp_path, CUTOFF)  # the re-run repairs
        manifest = json.loads((tmp_path / "manifest.json").read_text())[TABLE]
        assert sum(e["rows"] for e in manifest.values()) == len(due) > 2
        assert len(_pulls(database)) == len(before) - len(due)
        assert not list(tmp_path.rglob("*.partial"))

        assert restore_months(database.engine, tmp_path) == len(due)
        assert _pulls(database) == before
    finally:
        database.dispose()


def test_a_month_orphaned_by_a_crash_is_listed_again(db_url: str, tmp_path: Path) -> None:
    """The state a kill -9 between a month's commit and its manifest write used to leave: the
    file on disk, the rows gone, the manifest without the month."""
    database = AppDatabase(db_url)
    database.migrate()
    try:
        _seed_pulls(database)
        before = _pulls(database)
        archive_months(database.engine, tmp_path, CUTOFF)
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        orphan = sorted(manifest[TABLE])[1]
        del manifest[TABLE][orphan]
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))

        assert [a.month for a in archive_months(database.engine, tmp_path, CUTOFF)] == [orphan]
        assert restore_months(database.engine, tmp_path, [orphan]) > 0
        restore_months(database.engine, tmp_path)
        assert _pulls(database) == before
    finally:
        database.dispose()


def test_files_and_folders_are_fsynced_before_rows_are_dropped(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    events: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        events.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    try:
        _seed_pulls(database)
        archive_months(database.engine, tmp_path, CUTOFF, on_step=lambda s: events.append(s))
    finally:
        database.dispose()
    first_month = events[: events.index("rows_dropped")]
    folder = str(tmp_path / TABLE)
    month_file = next(e for e in first_month if e.startswith(folder + "/"))
    assert month_file.endswith(".jsonl.gz.partial")  # the data, before its rename
    assert folder in first_month[first_month.index(month_file) :]  # then the rename
    assert first_month.index(folder) < first_month.index("file_written")
    manifest = next(e for e in first_month if e.endswith("manifest.json.partial"))
    assert str(tmp_path) in first_month[first_month.index(manifest) :]  # the manifest's rename
    assert first_month.index("file_written") < first_month.index(manifest)
    assert first_month[-1] == "manifest_written"


def test_a_half_done_month_is_finished_whatever_the_new_cutoff(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    try:
        _seed_pulls(database)
        before = _pulls(database)
        arguments = [sqlite_url, str(tmp_path), CUTOFF.isoformat(), "manifest_written"]
        crashed = subprocess.run(
            [sys.executable, "-c", CRASHING_ARCHIVE, *arguments], capture_output=True, check=False
        )
        assert crashed.returncode == -signal.SIGKILL
        listed = json.loads((tmp_path / "manifest.json").read_text())[TABLE]
        assert (
            len(listed) == 2 and len(_pulls(database)) == len(before) - listed[min(listed)]["rows"]
        )

        # An operator re-runs with a much longer retention: the listed month is still finished.
        done = archive_months(database.engine, tmp_path, datetime(2019, 1, 1, tzinfo=UTC))
        assert [a.month for a in done] == [max(listed)]
        archived = sum(e["rows"] for e in listed.values())
        assert len(_pulls(database)) == len(before) - archived
        restore_months(database.engine, tmp_path)
        assert _pulls(database) == before
    finally:
        database.dispose()
