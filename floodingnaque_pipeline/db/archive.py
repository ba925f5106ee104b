"""Cold storage for old raw pulls and predictions: month files (gzip JSON lines) + a manifest.

A month of raw_weather_pulls (by window_start, UTC) goes to <dir>/raw_weather_pulls/YYYY-MM
.jsonl.gz once the whole month is older than the cutoff. The file is written, read back and
checked against its sha256 and row count before the rows leave the database; on PostgreSQL the
month's partition is then detached and dropped (instant, no dead tuples), on SQLite the rows
are deleted. `restore_months` puts them back with their original ids, so weather_data rebuilt
from restored pulls carries the same raw_pull_id as before. flood_predictions (plain table)
go the same way by month of valid_for, once the days they were for are that old.

    python -m floodingnaque_pipeline.db.archive restore ARCHIVE_DIR [YYYY-MM ...]
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Engine, Table, select, text

from floodingnaque_pipeline.db.models import FloodPrediction, RawWeatherPull
from floodingnaque_pipeline.db.partitions import (
    RAW_WEATHER_PULLS,
    SCHEMA,
    PartitionScheme,
    is_partitioned,
)
from floodingnaque_pipeline.db.types import UTCDateTime
from floodingnaque_pipeline.db.upsert import upsert_rows

MANIFEST = "manifest.json"
DEFAULT_ARCHIVE_DIR = "./archive"
DEFAULT_ARCHIVE_AFTER_DAYS = 365
MONTHS = RAW_WEATHER_PULLS  # calendar months (UTC), whatever the table


@dataclass(frozen=True)
class ArchivedTable:
    table: Table
    column: str  # months are cut by this column
    key: tuple[str, ...]  # the natural key a restore merges on
    scheme: PartitionScheme | None  # partitioned on Postgres: the month's partition is dropped

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns]


RAW_PULLS = ArchivedTable(
    RawWeatherPull.__table__, "window_start", ("pull_key", "window_start"), RAW_WEATHER_PULLS
)
# Predictions "past their use": the day they were for lies beyond the archive age.
PREDICTIONS = ArchivedTable(
    FloodPrediction.__table__, "valid_for", ("location_id", "valid_for", "issued_at"), None
)
ARCHIVED = {spec.table.name: spec for spec in (RAW_PULLS, PREDICTIONS)}


class ArchiveError(RuntimeError):
    """An archive file that is missing, damaged or not what the manifest says."""


@dataclass(frozen=True)
class ArchivedMonth:
    table: str
    month: str  # YYYY-MM (UTC)
    file: str
    rows: int
    sha256: str
    ids: tuple[int, ...] = ()  # raw pull ids: weather_data rows still point at them


def archive_months(
    engine: Engine, directory: Path, cutoff: datetime, spec: ArchivedTable = RAW_PULLS
) -> list[ArchivedMonth]:
    """Archive every whole month of the table that ended on or before `cutoff`."""
    folder = directory / spec.table.name
    folder.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        values = connection.execute(select(spec.table.c[spec.column]).distinct()).scalars()
        months = sorted({_month_of(v) for v in values})
    done = []
    for start in months:
        end = MONTHS.next_start(start)
        if end > cutoff:
            break
        done.append(_archive_one(engine, folder, spec, start, end))
        _write_manifest(directory, done[-1])
    return done


def _archive_one(
    engine: Engine, folder: Path, spec: ArchivedTable, start: datetime, end: datetime
) -> ArchivedMonth:
    month = f"{start:%Y-%m}"
    path = folder / f"{month}.jsonl.gz"
    column = spec.table.c[spec.column]
    lower, upper = _bound(spec, start), _bound(spec, end)
    in_month = (column >= lower, column < upper)
    partial = path.with_suffix(".partial")
    with engine.begin() as connection:
        rows, ids = 0, []
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            query = select(spec.table).where(*in_month).order_by(*spec.table.primary_key)
            for row in connection.execute(query):
                out.write(json.dumps(_plain(row._mapping), sort_keys=True) + "\n")
                rows += 1
                if spec is RAW_PULLS:
                    ids.append(row._mapping["id"])
        os.replace(partial, path)
        digest = _sha256(path)
        if len(_read_rows(spec, path, digest)) != rows:  # read back before anything is deleted
            raise ArchiveError(f"{path}: read back a different number of rows than written")
        name = spec.scheme.name(start) if spec.scheme else ""
        if (
            name
            and is_partitioned(connection, spec.table.name)
            and _has_partition(connection, name)
        ):
            connection.execute(
                text(f"ALTER TABLE {spec.table.name} DETACH PARTITION {SCHEMA}.{name}")
            )
            connection.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
        else:
            connection.execute(spec.table.delete().where(*in_month))
    file = f"{spec.table.name}/{path.name}"
    return ArchivedMonth(spec.table.name, month, file, rows, digest, tuple(sorted(ids)))


def restore_months(engine: Engine, directory: Path, months: list[str] | None = None) -> int:
    """Put archived months back (all of them by default, every table); returns the rows."""
    manifest = _read_manifest(directory)
    available = {m for entries in manifest.values() for m in entries}
    missing = set(months or []) - available
    if missing:
        raise ArchiveError(f"{sorted(missing)} not in {directory / MANIFEST}")
    restored = 0
    for table, entries in sorted(manifest.items()):
        spec = ARCHIVED[table]
        for month in sorted(set(months or entries) & set(entries)):
            entry = entries[month]
            rows = _read_rows(spec, directory / entry["file"], entry["sha256"])
            with engine.begin() as connection:
                upsert_rows(
                    connection, spec.table, spec.columns, rows, key=list(spec.key), compare=[]
                )
            restored += len(rows)
    return restored


def _read_rows(spec: ArchivedTable, path: Path, sha256: str) -> list[tuple]:
    if not path.exists():
        raise ArchiveError(f"archive file {path} is missing")
    if _sha256(path) != sha256:
        raise ArchiveError(f"archive file {path} does not match its sha256 in the manifest")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [_typed(spec, json.loads(line)) for line in lines]


def _month_of(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return MONTHS.start_of(value)
    return datetime(value.year, value.month, 1, tzinfo=UTC)


def _bound(spec: ArchivedTable, moment: datetime) -> date | datetime:
    return moment.date() if isinstance(spec.table.c[spec.column].type, Date) else moment


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


def _typed(spec: ArchivedTable, record: dict[str, Any]) -> tuple:
    out = []
    for column in spec.table.columns:
        value = record[column.name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value).astimezone(UTC)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        out.append(value)
    return tuple(out)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _has_partition(connection: Any, name: str) -> bool:
    found = connection.execute(text("SELECT to_regclass(:n)"), {"n": f"{SCHEMA}.{name}"})
    return found.scalar() is not None


def default_archive_dir() -> Path:
    return Path(os.environ.get("FLOODINGNAQUE_ARCHIVE_DIR") or DEFAULT_ARCHIVE_DIR)


def archived_pull_ids(directory: Path) -> frozenset[int]:
    """Ids of the raw pulls moved to the archive: a weather_data row pointing at one is still
    traceable (through the archive file), though the pull left the database."""
    months = _read_manifest(directory).get(RAW_PULLS.table.name, {})
    return frozenset(i for entry in months.values() for i in entry.get("ids", ()))


def _read_manifest(directory: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """{table: {YYYY-MM: {file, rows, sha256, archived_at}}}"""
    path = directory / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def _write_manifest(directory: Path, month: ArchivedMonth) -> None:
    manifest = _read_manifest(directory)
    manifest.setdefault(month.table, {})[month.month] = {
        "file": month.file,
        "rows": month.rows,
        "sha256": month.sha256,
        "archived_at": datetime.now(UTC).isoformat(),
        **({"ids": list(month.ids)} if month.ids else {}),
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
    print(f"restored {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
