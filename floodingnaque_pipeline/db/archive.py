"""Cold storage for old raw pulls and predictions: month files (gzip JSON lines) + a manifest.

A month of raw_weather_pulls (by window_start, UTC) goes to <dir>/raw_weather_pulls/YYYY-MM
.jsonl.gz once the whole month is older than the cutoff. Write-ahead, one transaction per month
that holds the table against writers: the file is written under a temporary name, fsynced,
renamed, its folder fsynced, read back against its sha256 and row count; the manifest entry is
committed (archive_manifest); only then do the rows leave the database (on PostgreSQL the
month's partition is detached and dropped, on SQLite the rows are deleted) and the transaction
commits. A crash anywhere leaves a state the next run repairs: a month whose rows are still in
the database is written again, merged with the rows its file already holds; a month file that
is not in the manifest is read and listed. `restore_months` puts them back with their
original ids, so weather_data rebuilt from restored pulls carries the same raw_pull_id as
before. flood_predictions (plain table) go the same way by month of valid_for, once the days
they were for are that old.

    python -m floodingnaque_pipeline.db.archive restore ARCHIVE_DIR [YYYY-MM ...]
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from floodingnaque_pipeline.db.archive_manifest import (
    ArchivedMonth,
    ArchiveError,
    archived_pull_ids,
    read_manifest,
    record_month,
)
from floodingnaque_pipeline.db.archive_tables import (
    ARCHIVED,
    MONTHS,
    PREDICTIONS,
    RAW_PULLS,
    ArchivedTable,
    bound,
    month_of,
    plain,
    read_rows,
)
from floodingnaque_pipeline.db.durable import folder_lock, fsync_dir, publish, sha256_of
from floodingnaque_pipeline.db.partitions import SCHEMA, is_partitioned
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.domain.progress import Progress

# Re-exported: callers import the archive's names from here.
__all__ = ["ARCHIVED", "PREDICTIONS", "ArchiveError", "ArchivedMonth", "archived_pull_ids"]
DEFAULT_ARCHIVE_DIR = "./archive"
DEFAULT_ARCHIVE_AFTER_DAYS = 365
LOCK = ".archive.lock"
MANIFEST = "manifest.json"


# Called with the name of each step done: "file_written", "manifest_written", "rows_dropped"
# (not yet committed), "committed". Tests kill the process there.
StepHook = Callable[[str], None]


def archive_months(
    engine: Engine,
    directory: Path,
    cutoff: datetime,
    spec: ArchivedTable = RAW_PULLS,
    on_step: StepHook | None = None,
    log: Callable[[str], None] | None = None,
) -> list[ArchivedMonth]:
    """Archive every whole month of the table that ended on or before `cutoff`, and repair any
    month a crashed run left half-done."""
    folder = directory / spec.table.name
    folder.mkdir(parents=True, exist_ok=True)
    fsync_dir(directory)
    # One archive run per folder at a time: the manifest is read, extended and replaced.
    with folder_lock(directory, LOCK):
        return _archive_due(
            engine, directory, cutoff, spec, on_step or (lambda _step: None), log or _quiet
        )


def _quiet(_line: str) -> None:
    pass


def _archive_due(
    engine: Engine,
    directory: Path,
    cutoff: datetime,
    spec: ArchivedTable,
    on_step: StepHook,
    log: Callable[[str], None],
) -> list[ArchivedMonth]:
    folder = directory / spec.table.name
    listed = read_manifest(directory).get(spec.table.name, {})
    with engine.connect() as connection:
        values = connection.execute(select(spec.table.c[spec.column]).distinct()).scalars()
        in_database = {month_of(v) for v in values}
    due = {m for m in in_database if MONTHS.next_start(m) <= cutoff}
    # Listed but still in the database: a run died before its drop committed (any cutoff).
    half_done = {m for m in in_database if f"{m:%Y-%m}" in listed}
    on_disk = {p.name.removesuffix(".jsonl.gz") for p in folder.glob("*.jsonl.gz")}
    unlisted = {datetime.strptime(m, "%Y-%m").replace(tzinfo=UTC) for m in on_disk - set(listed)}
    months = sorted(due | half_done | unlisted)
    progress = Progress(f"archive {spec.table.name}", len(months), log, unit="month")
    archived = []
    for start in months:
        archived.append(_archive_one(engine, directory, spec, start, on_step))
        progress.done(archived[-1].rows, f"{start:%Y-%m}")
    return archived


def _archive_one(
    engine: Engine, directory: Path, spec: ArchivedTable, start: datetime, on_step: StepHook
) -> ArchivedMonth:
    month = f"{start:%Y-%m}"
    path = directory / spec.table.name / f"{month}.jsonl.gz"
    column = spec.table.c[spec.column]
    in_month = (column >= bound(spec, start), column < bound(spec, MONTHS.next_start(start)))
    listed = read_manifest(directory).get(spec.table.name, {}).get(month)
    key = [c.name for c in spec.table.primary_key]
    with engine.begin() as connection:
        _hold_against_writers(connection, spec)
        # Rows an earlier run already archived (and maybe dropped), then the database's rows.
        records = {tuple(r[k] for k in key): r for r in _records_on_disk(path, listed is not None)}
        query = select(spec.table).where(*in_month)
        for row in connection.execute(query):
            record = plain(row._mapping)
            records[tuple(record[k] for k in key)] = record
        ordered = [records[k] for k in sorted(records)]
        partial = path.with_name(f".{path.name}.partial")
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            for record in ordered:
                out.write(json.dumps(record, sort_keys=True) + "\n")
        publish(partial, path)
        on_step("file_written")
        digest = sha256_of(path)
        if len(read_rows(spec, path, digest)) != len(ordered):  # read back before any drop
            raise ArchiveError(f"{path}: read back a different number of rows than written")
        ids = sorted(r["id"] for r in ordered) if spec is RAW_PULLS else []
        file = f"{spec.table.name}/{path.name}"
        archived = ArchivedMonth(spec.table.name, month, file, len(ordered), digest, tuple(ids))
        record_month(directory, archived)
        on_step("manifest_written")
        _drop_month(connection, spec, start, in_month)
        on_step("rows_dropped")
    on_step("committed")
    return archived


def _hold_against_writers(connection: Any, spec: ArchivedTable) -> None:
    """No row may land in the month between reading it and dropping it."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"LOCK TABLE {spec.table.name} IN SHARE ROW EXCLUSIVE MODE"))
    else:  # SQLite: a write takes the database's write lock for the whole transaction
        connection.execute(spec.table.delete().where(text("1 = 0")))


def _drop_month(connection: Any, spec: ArchivedTable, start: datetime, in_month: tuple) -> None:
    name = spec.scheme.name(start) if spec.scheme else ""
    if name and is_partitioned(connection, spec.table.name) and _has_partition(connection, name):
        connection.execute(text(f"ALTER TABLE {spec.table.name} DETACH PARTITION {SCHEMA}.{name}"))
        connection.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
    else:
        connection.execute(spec.table.delete().where(*in_month))


def _records_on_disk(path: Path, listed: bool) -> list[dict[str, Any]]:
    """The month file's rows. Files reach their final name only whole and fsynced, so one that
    cannot be read was damaged since: refuse if the manifest counts on it."""
    if not path.exists():
        if listed:
            raise ArchiveError(f"archive file {path} is listed in the manifest but missing")
        return []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]
    except (OSError, EOFError, ValueError) as error:
        if listed:
            raise ArchiveError(
                f"archive file {path} is damaged ({error}); put back its copy from a backup"
            ) from None
        return []  # never listed, so its rows were never dropped: the database still has them


def restore_months(
    engine: Engine,
    directory: Path,
    months: list[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> int:
    """Put archived months back (all of them by default, every table); returns the rows.
    `log` gets one progress line per table-month (done of total, rows, rate, ETA)."""
    manifest = read_manifest(directory)
    available = {m for entries in manifest.values() for m in entries}
    missing = set(months or []) - available
    if missing:
        raise ArchiveError(f"{sorted(missing)} not in {directory / MANIFEST}")
    restored = 0
    chosen = {t: sorted(set(months or e) & set(e)) for t, e in sorted(manifest.items())}
    progress = Progress("restore", sum(map(len, chosen.values())), log or _quiet, unit="month")
    for table, entries in sorted(manifest.items()):
        spec = ARCHIVED[table]
        for month in chosen[table]:
            entry = entries[month]
            rows = read_rows(spec, directory / entry["file"], entry["sha256"])
            with engine.begin() as connection:
                upsert_rows(
                    connection, spec.table, spec.columns, rows, key=list(spec.key), compare=[]
                )
            restored += len(rows)
            progress.done(len(rows), f"{table} {month}")
    return restored


def _has_partition(connection: Any, name: str) -> bool:
    found = connection.execute(text("SELECT to_regclass(:n)"), {"n": f"{SCHEMA}.{name}"})
    return found.scalar() is not None


def default_archive_dir() -> Path:
    return Path(os.environ.get("FLOODINGNAQUE_ARCHIVE_DIR") or DEFAULT_ARCHIVE_DIR)


def main(argv: list[str]) -> int:
    from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL
    from floodingnaque_pipeline.db.session import AppDatabase

    if len(argv) < 2 or argv[0] != "restore":
        print(
            "usage: python -m floodingnaque_pipeline.db.archive restore ARCHIVE_DIR [YYYY-MM ...]"
        )
        return 2
    database = AppDatabase(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    try:
        rows = restore_months(
            database.engine, Path(argv[1]), argv[2:] or None, log=lambda line: print(line)
        )
    finally:
        database.dispose()
    print(f"restored {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
