"""Backups you can trust, of the app database, and their restore.

A backup is written under a temporary name (`.floodingnaque-<stamp>-<seq>.dump.partial`),
fsynced with its folder, then verified by restoring it into a scratch database and comparing
the rows of every table with the source's, counted in the dump's own snapshot. Only then is it
renamed to its final name and listed in `backups.json` (see backup_manifest). A failed run (a
full disk, a dump cut short) leaves no file under a final name and nothing listed.
PostgreSQL: `pg_dump -Fc`. SQLite (the embedded default): the online backup API, verified by
PRAGMA integrity_check and the same row counts.

Restore, over the current database or into a fresh one (see backup_postgres.restore_by_swap):
    python -m floodingnaque_pipeline.db.backup restore backups/floodingnaque-....dump
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from floodingnaque_pipeline.db import backup_postgres
from floodingnaque_pipeline.db.backup_manifest import (
    VerifiedBackup,
    next_seq,
    plan_retention,
    read_manifest,
    write_manifest,
)
from floodingnaque_pipeline.db.durable import (
    folder_lock,
    fsync_dir,
    fsync_file,
    publish,
    sha256_of,
)
from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL, DatabaseError

PREFIX = "floodingnaque-"
SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}
LOCK = ".backup.lock"


@dataclass(frozen=True)
class Backup:
    path: Path
    size_bytes: int
    duration_s: float
    verified: str  # what the verification found, e.g. "restored: 27 tables, 9,120 rows match"
    removed: tuple[Path, ...]


def backup_database(url: str, directory: Path, keep: int, now: datetime | None = None) -> Backup:
    """Write one verified backup into `directory`, then keep only the newest `keep` verified."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    directory.mkdir(parents=True, exist_ok=True)
    # One backup run per folder at a time: the manifest is read, extended and replaced.
    with folder_lock(directory, LOCK):
        for stale in directory.glob(f".{PREFIX}*.partial"):  # left by a killed run
            stale.unlink()
        return _backup_locked(url, directory, keep, now or datetime.now(UTC))


def _backup_locked(url: str, directory: Path, keep: int, moment: datetime) -> Backup:
    backend = make_url(url).get_backend_name()
    listed = read_manifest(directory)
    seq = next_seq(listed)
    final = directory / f"{PREFIX}{moment:%Y%m%dT%H%M%S%fZ}-{seq:04d}{SUFFIX[backend]}"
    partial = directory / f".{final.name}.partial"
    started = time.perf_counter()
    try:
        if backend == "postgresql":
            source = backup_postgres.dump(url, partial)
        else:
            source = _sqlite_backup(_sqlite_path(url), partial)
        fsync_file(partial)
        fsync_dir(directory)
        restored = verify_backup(url, partial)
        _compare(source, restored, partial.name)
        entry = VerifiedBackup(
            final.name,
            seq,
            moment.isoformat(),
            partial.stat().st_size,
            sha256_of(partial),
            restored,
        )
        publish(partial, final)
        try:
            write_manifest(directory, [*listed, entry])
        except BaseException:
            final.unlink(missing_ok=True)  # not listed, so not a backup: no final name either
            raise
    except (OSError, sqlite3.Error, DatabaseError) as error:
        raise DatabaseError(
            f"backup into {directory} failed, nothing kept (is the disk full? `df -h "
            f"{directory}`): {error}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    duration = time.perf_counter() - started
    removed = prune(directory, keep)
    verified = f"restored into a scratch database: {len(restored)} tables, "
    verified += f"{sum(restored.values()):,} rows match the source"
    return Backup(final, entry.size_bytes, duration, verified, removed)


def prune(directory: Path, keep: int) -> tuple[Path, ...]:
    """Delete the verified backups beyond the newest `keep`; unlisted files are left alone."""
    listed = read_manifest(directory)
    doomed = plan_retention(listed, keep)
    if not doomed:
        return ()
    # Unlist first: a crash in between leaves an unlisted file, never a listed missing one.
    write_manifest(directory, [b for b in listed if b not in doomed])
    for backup in doomed:
        (directory / backup.file).unlink(missing_ok=True)
    fsync_dir(directory)
    return tuple(directory / b.file for b in doomed)


def restore_database(url: str, path: Path) -> None:
    """Replace the database (existing or not) with the backup at `path`."""
    listed = {b.file: b for b in read_manifest(path.parent)}.get(path.name)
    if listed and sha256_of(path) != listed.sha256:
        raise DatabaseError(
            f"backup {path} does not match its sha256 in {path.parent}/backups.json"
        )
    expected = listed.tables if listed else None
    if make_url(url).get_backend_name() == "postgresql":
        backup_postgres.restore_by_swap(url, path, expected)
        return
    counts = _sqlite_counts(path)
    if expected is not None:
        _compare(expected, counts, path.name)
    with closing(sqlite3.connect(path)) as source:
        with closing(sqlite3.connect(_sqlite_path(url))) as target:
            source.backup(target)


def verify_backup(url: str, path: Path) -> dict[str, int]:
    """Restore `path` into a scratch database (SQLite: open the copy) and count its rows per
    table; a damaged or truncated file raises DatabaseError."""
    if make_url(url).get_backend_name() == "postgresql":
        return backup_postgres.restored_counts(url, path)
    return _sqlite_counts(path)


def _compare(source: dict[str, int], restored: dict[str, int], name: str) -> None:
    differ = {t: (source.get(t), restored.get(t)) for t in source.keys() | restored.keys()}
    differ = {t: pair for t, pair in differ.items() if pair[0] != pair[1]}
    if differ:
        shown = ", ".join(f"{t}: {s} vs {r} restored" for t, (s, r) in sorted(differ.items())[:5])
        raise DatabaseError(f"backup {name} does not restore the source's rows: {shown}")


def _sqlite_backup(source_path: str, target: Path) -> dict[str, int]:
    """Copy with the online backup API inside one read transaction, counting in it too."""
    with closing(sqlite3.connect(source_path)) as source:
        source.execute("BEGIN")
        counts = _table_counts(source)
        with closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            # One self-contained file: no -wal/-shm beside it to lose when it is renamed.
            copy.execute("PRAGMA journal_mode=DELETE")
        source.rollback()
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            counts = _table_counts(connection) if result == "ok" else {}
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"backup {path.name} is not a readable SQLite file: {error}") from None
    if result != "ok":
        raise DatabaseError(f"backup {path.name} failed its integrity check: {result}")
    return counts


def _table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {
        n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
        for (n,) in names.fetchall()
    }


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseError("an in-memory SQLite database cannot be backed up or restored")
    return database


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "restore":
        print("usage: python -m floodingnaque_pipeline.db.backup restore BACKUP_FILE")
        return 2
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    started = time.perf_counter()
    restore_database(url, Path(argv[1]))
    print(f"restored {argv[1]} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
