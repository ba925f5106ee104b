"""Backup and restore of a 10-year x 16-location app database (pg_dump -Fc / pg_restore).

    python -m bench.backup [--years 10]

Times the `database_backup` path (dump + fsync + verification by a restore into a scratch
database with row counts per table) and the documented restore, into a fresh database and over
the live one (restore into a new database, then swap names), and checks that weather_data came
back row for row (count + md5) both times.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.common import migrated_with_locations, scratch_database
from bench.growth import FIRST_YEAR, timed_upsert, year_rows
from floodingnaque_pipeline.db.backup import backup_database, restore_database
from floodingnaque_pipeline.db.session import AppDatabase

CHECKSUM = text(
    "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY location_id, observed_at, source)) "
    "FROM weather_data t"
)


def checksum(url: str) -> tuple:
    database = AppDatabase(url)
    try:
        with database.engine.connect() as connection:
            return tuple(connection.execute(CHECKSUM).one())
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    with scratch_database("fq_bench_backup") as url, scratch_database("fq_bench_restore") as copy:
        database, ids = migrated_with_locations(url)
        for year in range(FIRST_YEAR, FIRST_YEAR + args.years):
            timed_upsert(database, year_rows(ids, year))
        database.dispose()
        before = checksum(url)
        with tempfile.TemporaryDirectory() as folder:
            backup = backup_database(url, Path(folder), keep=1)
            started = time.perf_counter()
            restore_database(copy, backup.path)
            restore_s = time.perf_counter() - started
            started = time.perf_counter()
            restore_database(url, backup.path)
            over_s = time.perf_counter() - started
        assert checksum(copy) == before, "restored weather_data differs"
        assert checksum(url) == before, "weather_data restored over the live database differs"
    print(f"{before[0]:,} weather_data rows ({len(ids)} locations x {args.years} years)")
    print(
        f"  backup (pg_dump -Fc, fsync, verified by a scratch restore): {backup.duration_s:.1f} s, "
        f"{backup.size_bytes / 1e6:.1f} MB, {backup.verified}"
    )
    print(f"  restore into an empty database: {restore_s:.1f} s; weather_data identical")
    print(f"  restore over the live database (swap): {over_s:.1f} s; weather_data identical")
    print(
        f"RESULT backup_s={backup.duration_s:.1f} restore_s={restore_s:.1f} "
        f"restore_over_s={over_s:.1f} "
        f"backup_mb={backup.size_bytes / 1e6:.1f} rows={before[0]}"
    )


if __name__ == "__main__":
    main()
