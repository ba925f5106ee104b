"""What the archive moves (tables, the column months are cut by, the merge key) and how a row
becomes a JSON line and back."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Table

from floodingnaque_pipeline.db.archive_manifest import ArchiveError
from floodingnaque_pipeline.db.durable import sha256_of
from floodingnaque_pipeline.db.models import FloodPrediction, RawWeatherPull
from floodingnaque_pipeline.db.partitions import RAW_WEATHER_PULLS, PartitionScheme
from floodingnaque_pipeline.db.types import UTCDateTime

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


def read_rows(spec: ArchivedTable, path: Path, sha256: str) -> list[tuple]:
    if not path.exists():
        raise ArchiveError(f"archive file {path} is missing")
    if sha256_of(path) != sha256:
        raise ArchiveError(f"archive file {path} does not match its sha256 in the manifest")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [typed(spec, json.loads(line)) for line in lines]


def month_of(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return MONTHS.start_of(value)
    return datetime(value.year, value.month, 1, tzinfo=UTC)


def bound(spec: ArchivedTable, moment: datetime) -> date | datetime:
    return moment.date() if isinstance(spec.table.c[spec.column].type, Date) else moment


def plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


def typed(spec: ArchivedTable, record: dict[str, Any]) -> tuple:
    out = []
    for column in spec.table.columns:
        value = record[column.name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value).astimezone(UTC)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        out.append(value)
    return tuple(out)
