"""Cold storage for old raw pulls: month files (gzip JSON lines) + a manifest with checksums.

A month of raw_weather_pulls (by window_start, UTC) goes to <dir>/raw_weather_pulls/YYYY-MM
.jsonl.gz once the whole month is older than the cutoff. The file is written, read back and
checked against its sha256 and row count before the rows leave the database; on PostgreSQL the
month's partition is then detached and dropped (instant, no dead tuples), on SQLite the rows
are deleted. `restore_months` puts them back with their original ids, so weather_data rebuilt
from restored pulls carries the same raw_pull_id as before.

    python -m floodingnaque_pipeline.db.archive restore ARCHIVE_DIR [YYYY-MM ...]
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from floodingnaque_pipeline.db.models import RawWeatherPull
from floodingnaque_pipeline.db.partitions import RAW_WEATHER_PULLS, SCHEMA, is_partitioned
from floodingnaque_pipeline.db.types import UTCDateTime
from floodingnaque_pipeline.db.upsert import upsert_rows

TABLE = RawWeatherPull.__table__
COLUMNS = [c.name for c in TABLE.columns]
TIME_COLUMNS = {c.name for c in TABLE.columns if isinstance(c.type, UTCDateTime)}
MANIFEST = "manifest.json"
DEFAULT_ARCHIVE_AFTER_DAYS = 365


class ArchiveError(RuntimeError):
    """An archive file that is missing, damaged or not what the manifest says."""


@dataclass(frozen=True)
class ArchivedMonth:
    month: str  # YYYY-MM (UTC, of window_start)
    file: str
    rows: int
    sha256: str


def archive_months(engine: Engine, directory: Path, cutoff: datetime) -> list[ArchivedMonth]:
    """Archive every whole month of raw pulls that ended on or before `cutoff`."""
    folder = directory / TABLE.name
    folder.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        starts = connection.execute(select(TABLE.c.window_start)).scalars().all()
    months = sorted({RAW_WEATHER_PULLS.start_of(s) for s in starts})
    done = []
    for start in months:
        end = RAW_WEATHER_PULLS.next_start(start)
        if end > cutoff:
            break
        done.append(_archive_one(engine, folder, start, end))
        _write_manifest(directory, done[-1])
    return done


def _archive_one(engine: Engine, folder: Path, start: datetime, end: datetime) -> ArchivedMonth:
    month = f"{start:%Y-%m}"
    path = folder / f"{month}.jsonl.gz"
    query = (
        select(TABLE)
        .where(TABLE.c.window_start >= start, TABLE.c.window_start < end)
        .order_by(TABLE.c.id)
    )
    partial = path.with_suffix(".partial")
    with engine.begin() as connection:
        rows = 0
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            for row in connection.execute(query):
                out.write(json.dumps(_plain(row._mapping), sort_keys=True) + "\n")
                rows += 1
        os.replace(partial, path)
        digest = _sha256(path)
        if len(_read_rows(path, digest)) != rows:  # read back before anything is deleted
            raise ArchiveError(f"{path}: read back a different number of rows than written")
        name = RAW_WEATHER_PULLS.name(start)
        if is_partitioned(connection, TABLE.name) and _has_partition(connection, name):
            connection.execute(text(f"ALTER TABLE {TABLE.name} DETACH PARTITION {SCHEMA}.{name}"))
            connection.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
        else:
            connection.execute(
                TABLE.delete().where(TABLE.c.window_start >= start, TABLE.c.window_start < end)
            )
    return ArchivedMonth(month, f"{TABLE.name}/{path.name}", rows, digest)


def restore_months(engine: Engine, directory: Path, months: list[str] | None = None) -> int:
    """Put archived months back (all of them by default); returns the rows restored."""
    manifest = _read_manifest(directory)
    wanted = months or sorted(manifest)
    restored = 0
    for month in wanted:
        if month not in manifest:
            raise ArchiveError(f"{month} is not in {directory / MANIFEST}")
        entry = manifest[month]
        rows = _read_rows(directory / entry["file"], entry["sha256"])
        with engine.begin() as connection:
            upsert_rows(
                connection, TABLE, COLUMNS, rows, key=["pull_key", "window_start"], compare=[]
            )
        restored += len(rows)
    return restored


def _read_rows(path: Path, sha256: str) -> list[tuple]:
    if not path.exists():
        raise ArchiveError(f"archive file {path} is missing")
    if _sha256(path) != sha256:
        raise ArchiveError(f"archive file {path} does not match its sha256 in the manifest")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [_typed(json.loads(line)) for line in lines]


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def _typed(record: dict[str, Any]) -> tuple:
    return tuple(
        datetime.fromisoformat(record[c]).astimezone(UTC)
        if c in TIME_COLUMNS and record[c] is not None
        else record[c]
        for c in COLUMNS
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _has_partition(connection: Any, name: str) -> bool:
    found = connection.execute(text("SELECT to_regclass(:n)"), {"n": f"{SCHEMA}.{name}"})
    return found.scalar() is not None


def _read_manifest(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def _write_manifest(directory: Path, month: ArchivedMonth) -> None:
    manifest = _read_manifest(directory)
    manifest[month.month] = {
        "file": month.file,
        "rows": month.rows,
        "sha256": month.sha256,
        "archived_at": datetime.now(UTC).isoformat(),
    }
    partial = directory / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(partial, directory / MANIFEST)


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
        rows = restore_months(database.engine, Path(argv[1]), argv[2:] or None)
    finally:
        database.dispose()
    print(f"restored {rows} raw pulls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
