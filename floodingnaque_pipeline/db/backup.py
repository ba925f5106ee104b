"""Verified backups of the app database, and their restore.

PostgreSQL: `pg_dump -Fc` (compressed, restorable table by table), verified by reading its
table of contents back with `pg_restore --list`. SQLite (the embedded default): the online
backup API (consistent while a run writes), verified with PRAGMA integrity_check.
The password travels in PGPASSWORD, never on a command line or in a message.

Restore (the database must exist and be empty, or be overwritten with --clean):
    python -m floodingnaque_pipeline.db.backup restore backups/floodingnaque-....dump
which runs `pg_restore --clean --if-exists --no-owner --single-transaction` against
DATABASE_URL (or copies the SQLite backup over the file of DATABASE_URL).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL, DatabaseError, scrub_secrets

PREFIX = "floodingnaque-"
SUFFIX = {"postgresql": ".dump", "sqlite": ".sqlite3"}


@dataclass(frozen=True)
class Backup:
    path: Path
    size_bytes: int
    duration_s: float
    verified: str  # what the verification found, e.g. "62 archive entries"
    removed: tuple[Path, ...]


def backup_database(url: str, directory: Path, keep: int, now: datetime | None = None) -> Backup:
    """Write one verified backup into `directory`, then keep only the newest `keep`."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    backend = make_url(url).get_backend_name()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"{PREFIX}{stamp}{SUFFIX[backend]}"
    started = time.perf_counter()
    if backend == "postgresql":
        _run(["pg_dump", "-Fc", "--no-owner", "-f", str(path)], url)
        verified = _verify_dump(path, url)
    else:
        _sqlite_copy(_sqlite_path(url), str(path))
        verified = _verify_sqlite(path)
    duration = time.perf_counter() - started
    removed = prune(directory, keep, SUFFIX[backend])
    return Backup(path, path.stat().st_size, duration, verified, removed)


def prune(directory: Path, keep: int, suffix: str) -> tuple[Path, ...]:
    # Names sort by their UTC timestamp, so the oldest come first.
    backups = sorted(directory.glob(f"{PREFIX}*{suffix}"))
    old = backups[: max(0, len(backups) - keep)]
    for path in old:
        path.unlink()
    return tuple(old)


def restore_database(url: str, path: Path) -> None:
    """Replace the database's contents with the backup at `path`."""
    if make_url(url).get_backend_name() == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(make_url(url).database),
                str(path),
            ],
            url,
        )
        return
    _verify_sqlite(path)
    _sqlite_copy(str(path), _sqlite_path(url))


def _verify_dump(path: Path, url: str) -> str:
    listing = _run(["pg_restore", "--list", str(path)], url)
    entries = [line for line in listing.splitlines() if line and not line.startswith(";")]
    # The partitioned parent has no data entry of its own; the schema version always has one.
    for needed in (" TABLE public weather_data ", " TABLE DATA public alembic_version "):
        if not any(needed in line for line in entries):
            raise DatabaseError(f"backup {path.name} lacks{needed.rstrip()}: not a usable dump")
    return f"{len(entries)} archive entries"


def _verify_sqlite(path: Path) -> str:
    try:
        with closing(sqlite3.connect(path)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
            count = tables.fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"backup {path.name} is not a readable SQLite file: {error}") from None
    if result != "ok":
        raise DatabaseError(f"backup {path.name} failed its integrity check: {result}")
    return f"integrity ok, {count} tables"


def _sqlite_copy(source_path: str, target_path: str) -> None:
    with closing(sqlite3.connect(source_path)) as source:
        with closing(sqlite3.connect(target_path)) as target:
            source.backup(target)


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseError("an in-memory SQLite database cannot be backed up or restored")
    return database


def _run(arguments: list[str], url: str) -> str:
    """Run a libpq tool against the URL's database; the connection goes through PG* vars."""
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value is not None:
            env[name] = str(value)
    done = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = scrub_secrets(done.stderr.strip(), url)
        raise DatabaseError(f"{arguments[0]} failed (exit {done.returncode}): {detail}")
    return done.stdout


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
