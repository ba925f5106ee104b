"""Backup and restore round trip on a filled database: every table, row for row."""

import hashlib
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import MetaData, select

from floodingnaque_pipeline.db.backup import backup_database, restore_database, verify_backup
from floodingnaque_pipeline.db.backup_manifest import VerifiedBackup, plan_retention, read_manifest
from floodingnaque_pipeline.db.engine import DatabaseError
from floodingnaque_pipeline.db.migrate import current_revision, head_revision
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline_tests.conftest import (
    PG_URL_TEMPLATE,
    create_pg_database,
    drop_pg_database,
)
from floodingnaque_pipeline_tests.weather_rows import WEATHER_COLUMNS, seed_locations, weather_rows


def fill(database: AppDatabase) -> None:
    ids = seed_locations(database)
    rows = []
    for year in (2017, 2021, 2025):
        rows += weather_rows(ids[:5], hours=400, start=datetime(year, 12, 25, 1, tzinfo=UTC))
    with database.session() as session:
        upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, rows)
        for n in range(12):
            start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=40 * n)
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


def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    """(rows, sha256 of the sorted rows) of every table the database holds."""
    database = AppDatabase(url)
    try:
        metadata = MetaData()
        metadata.reflect(database.engine)
        out = {}
        with database.engine.connect() as connection:
            for name, table in metadata.tables.items():
                rows = sorted(repr(tuple(r)) for r in connection.execute(select(table)))
                out[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        database.dispose()


def test_backup_drop_restore_gives_back_every_row(db_url: str, tmp_path: Path) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    fill(database)
    database.dispose()
    before = table_checksums(db_url)
    assert before["weather_data"][0] == 3 * 5 * 400 and before["raw_weather_pulls"][0] == 12

    backup = backup_database(db_url, tmp_path / "backups", keep=3)
    assert backup.path.exists() and backup.size_bytes == backup.path.stat().st_size > 0
    assert backup.verified

    if db_url.startswith("postgresql"):
        drop_pg_database(db_url.rsplit("/", 1)[1])
        target = PG_URL_TEMPLATE.format(name=create_pg_database())
    else:
        Path(db_url.removeprefix("sqlite:///")).unlink()
        target = db_url
    try:
        restore_database(target, backup.path)
        assert table_checksums(target) == before
        restored = AppDatabase(target)
        try:
            assert current_revision(restored.engine) == head_revision()
            # The restored schema takes new rows (partitions attached, sequences advanced).
            more = weather_rows([1], hours=10, start=datetime(2026, 1, 5, 1, tzinfo=UTC))
            with restored.session() as session:
                upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, more)
        finally:
            restored.dispose()
    finally:
        if target != db_url:
            drop_pg_database(target.rsplit("/", 1)[1])


def test_only_the_newest_backups_are_kept(sqlite_url: str, tmp_path: Path) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    database.dispose()
    folder = tmp_path / "backups"
    made = [
        backup_database(sqlite_url, folder, keep=2, now=datetime(2026, 1, day, tzinfo=UTC))
        for day in (1, 2, 3)
    ]
    assert _listed(folder) == [made[1].path.name, made[2].path.name]
    assert sorted(folder.glob("floodingnaque-*")) == [made[1].path, made[2].path]
    assert made[2].removed == (made[0].path,)


def test_a_damaged_backup_is_refused(db_url: str, tmp_path: Path) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    database.dispose()
    backup = backup_database(db_url, tmp_path, keep=1)
    data = backup.path.read_bytes()
    backup.path.write_bytes(data[: len(data) // 3])  # truncated, as by a full disk
    with pytest.raises(DatabaseError):
        restore_database(db_url, backup.path)


def _listed(folder: Path) -> list[str]:
    return [b.file for b in read_manifest(folder)]


def add_bulky_pull(database: AppDatabase) -> None:
    """0.7 MB of poorly compressible numbers: the dump's table of contents then fits in its first
    quarter, so `pg_restore --list` reads a dump cut to 25 % without complaint."""
    numbers = random.Random(1)
    start = datetime(2023, 5, 1, tzinfo=UTC)
    with database.session() as session:
        store_pull(
            session,
            source="open_meteo_era5",
            endpoint="http://archive",
            masked_params={"bulk": 1},
            location_ids=[1],
            window_start=start,
            window_end=start + timedelta(days=7),
            fetched_at=start,
            payload={"hourly": {"x": [round(numbers.random() * 100, 2) for _ in range(300_000)]}},
            payload_bytes=1,
            run_id="run-2",
        )


def test_a_dump_cut_to_a_quarter_fails_verification(db_url: str, tmp_path: Path) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    fill(database)
    add_bulky_pull(database)
    database.dispose()
    backup = backup_database(db_url, tmp_path, keep=1)
    assert sum(verify_backup(db_url, backup.path).values()) >= 3 * 5 * 400
    data = backup.path.read_bytes()
    cut = tmp_path / "cut.dump"
    cut.write_bytes(data[: len(data) // 4])
    with pytest.raises(DatabaseError):
        verify_backup(db_url, cut)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 32 kB tmpfs: any backup of a filled database runs out of space on it."""
    folder = tmp_path / "full"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_leaves_no_backup_behind(db_url: str, full_disk: Path) -> None:
    database = AppDatabase(db_url)
    database.migrate()
    fill(database)
    database.dispose()
    with pytest.raises(DatabaseError, match="nothing kept"):
        backup_database(db_url, full_disk, keep=2)
    with pytest.raises(DatabaseError, match="nothing kept"):
        backup_database(db_url, full_disk, keep=2)
    # No partial, no 0-byte file, nothing listed: only the (empty) lock file of the folder.
    assert [p.name for p in full_disk.iterdir()] == [".backup.lock"]
    assert _listed(full_disk) == []


def test_retention_counts_only_verified_backups(sqlite_url: str, tmp_path: Path) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    database.dispose()
    folder = tmp_path / "backups"
    good = [backup_database(sqlite_url, folder, keep=2).path for _ in range(2)]
    # What a full disk left behind before: a 0-byte file under a newer backup's name.
    stray = folder / "floodingnaque-20991231T000000000000Z.sqlite3"
    stray.write_bytes(b"")
    newest = backup_database(sqlite_url, folder, keep=2)
    assert newest.removed == (good[0],)
    assert _listed(folder) == [good[1].name, newest.path.name]
    assert good[1].exists() and newest.path.exists() and stray.exists()  # not ours to delete


def test_a_partial_left_by_a_killed_run_is_removed(sqlite_url: str, tmp_path: Path) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    database.dispose()
    stale = tmp_path / ".floodingnaque-20260101T000000000000Z-0001.sqlite3.partial"
    stale.write_bytes(b"half a backup")
    made = backup_database(sqlite_url, tmp_path, keep=1)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.glob("*floodingnaque-*")) == [made.path.name]


def test_a_clock_stepped_back_never_prunes_the_newest(sqlite_url: str, tmp_path: Path) -> None:
    database = AppDatabase(sqlite_url)
    database.migrate()
    database.dispose()
    folder = tmp_path / "backups"
    made = [
        backup_database(sqlite_url, folder, keep=2, now=datetime(2026, 1, day, tzinfo=UTC))
        for day in (3, 2, 1)  # each run's clock is a day behind the last's
    ]
    assert _listed(folder) == [made[1].path.name, made[2].path.name]
    assert made[2].path.exists() and not made[0].path.exists()
    assert made[2].removed == (made[0].path,)


def test_the_retention_plan_orders_by_sequence_not_by_clock() -> None:
    backups = [
        VerifiedBackup(f"b{seq}", seq, f"2026-01-{10 - seq:02d}T00:00:00+00:00", 1, "x")
        for seq in (1, 2, 3)
    ]
    assert [b.seq for b in plan_retention(backups, keep=1)] == [1, 2]
    assert plan_retention(backups, keep=5) == []
    assert [b.seq for b in plan_retention(backups[2:], keep=0)] == []  # never the newest


def test_restore_over_the_current_database(db_url: str, tmp_path: Path) -> None:
    """Over a live, partitioned weather_data (pg_restore --clean fails there), with a session
    still connected to it."""
    database = AppDatabase(db_url)
    database.migrate()
    fill(database)
    database.dispose()
    before = table_checksums(db_url)
    backup = backup_database(db_url, tmp_path, keep=1)

    database = AppDatabase(db_url)
    try:
        more = weather_rows([1], hours=30, start=datetime(2026, 3, 5, 1, tzinfo=UTC))
        with database.session() as session:
            upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, more)
            session.execute(WeatherData.__table__.delete().where(WeatherData.location_id == 2))
    finally:
        database.dispose()
    assert table_checksums(db_url) != before

    # A session left open on the database, as the daemon's would be: Postgres ends it.
    postgres = db_url.startswith("postgresql")
    idle = psycopg2.connect(db_url) if postgres else sqlite3.connect(db_url[len("sqlite:///") :])
    try:
        idle.cursor().execute("SELECT 1")
        restore_database(db_url, backup.path)
        if postgres:
            with pytest.raises(psycopg2.OperationalError):
                idle.cursor().execute("SELECT 1")
    finally:
        idle.close()
    assert table_checksums(db_url) == before


def test_restore_where_the_database_was_dropped(pg_url: str, tmp_path: Path) -> None:
    database = AppDatabase(pg_url)
    database.migrate()
    fill(database)
    database.dispose()
    before = table_checksums(pg_url)
    backup = backup_database(pg_url, tmp_path, keep=1)
    drop_pg_database(pg_url.rsplit("/", 1)[1])
    restore_database(pg_url, backup.path)  # no createdb first
    assert table_checksums(pg_url) == before
