"""Storing one parsed label file (PAGASA station days, CDRRMO flood events) and its refusals.

The database mirrors the latest version of each landing file: after a store, that file's rows
are exactly the accepted rows of the new parse and its `ingest_rejections` exactly the new
refusals. A version refused as a whole (wrong encoding, unknown layout, ...) therefore leaves
the file with no rows, only the refusal that says why. Everything runs in the caller's session,
i.e. one transaction per file: any error rolls the whole file back. No Dagster here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, tuple_
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models_labels import FloodEvent, IngestRejection, StationObservation
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline.sources import cdrrmo, pagasa
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

PAGASA = "pagasa"
CDRRMO = "cdrrmo"
_DELETE_CHUNK = 500  # keeps IN (...) lists far below SQLite's bound-parameter limit

# Record attributes stored as columns of the same name; every row also gets its provenance
# (source_file = the landing-relative path, source_row = the record's line in the file).
STATION_FIELDS = (
    "station", "observed_on", "rainfall_mm", "rainfall_trace", "tmax_c", "tmin_c",
    "relative_humidity_pct", "wind_speed_ms", "wind_direction_deg",
)  # fmt: skip
FLOOD_FIELDS = (
    "event_date", "barangay", "barangay_inferred", "location_text", "latitude", "longitude",
    "depth_class", "depth_in", "weather_disturbance", "date_evidence", "source_record",
)  # fmt: skip
PROVENANCE = ("source_file", "source_row")
STATION_KEY = ("station", "observed_on")  # a later file for the same day takes the day over
FLOOD_KEY = PROVENANCE  # an event has no natural key: it is where it stands in its file


@dataclass(frozen=True)
class FileLoadCounts:
    accepted: int
    rejected: int
    inserted: int
    updated: int
    unchanged: int
    removed: int  # rows of the file's previous version that the new version no longer has


@dataclass(frozen=True)
class FileTally:
    """What the database holds for one file: its rows and its refusals."""

    accepted: int
    rejected: int

    @property
    def ratio(self) -> float:
        total = self.accepted + self.rejected
        return self.rejected / total if total else 0.0


def store_station_file(
    session: Session,
    file_name: str,
    file_sha256: str,
    result: ParseResult[pagasa.StationObservation],
    run_id: str | None,
) -> FileLoadCounts:
    return _store(session, PAGASA, StationObservation.__table__, STATION_FIELDS, STATION_KEY,
                  file_name, file_sha256, result, run_id)  # fmt: skip


def store_flood_file(
    session: Session,
    file_name: str,
    file_sha256: str,
    result: ParseResult[cdrrmo.FloodEvent],
    run_id: str | None,
) -> FileLoadCounts:
    return _store(session, CDRRMO, FloodEvent.__table__, FLOOD_FIELDS, FLOOD_KEY, file_name,
                  file_sha256, result, run_id)  # fmt: skip


def file_tally(session: Session, source: str, file_name: str) -> FileTally:
    table = StationObservation.__table__ if source == PAGASA else FloodEvent.__table__
    accepted = session.execute(
        select(func.count()).select_from(table).where(table.c.source_file == file_name)
    ).scalar_one()
    rejections = IngestRejection.__table__
    rejected = session.execute(
        select(func.count())
        .select_from(rejections)
        .where(rejections.c.source == source, rejections.c.file == file_name)
    ).scalar_one()
    return FileTally(accepted, rejected)


def _store(
    session: Session,
    source: str,
    table: Table,
    fields: Sequence[str],
    key: Sequence[str],
    file_name: str,
    file_sha256: str,
    result: ParseResult[Any],
    run_id: str | None,
) -> FileLoadCounts:
    columns = [*fields, *PROVENANCE]
    rows = [(*(getattr(r, f) for f in fields), file_name, r.row_number) for r in result.records]
    rejections = result.rejections
    connection = session.connection()
    _replace_rejections(session, source, file_name, file_sha256, rejections, run_id)
    key_index = [columns.index(k) for k in key]
    keep = {tuple(row[i] for i in key_index) for row in rows}
    key_columns = [table.c[k] for k in key]
    existing = connection.execute(
        select(*key_columns).where(table.c.source_file == file_name)
    ).all()
    stale = [tuple(k) for k in existing if tuple(k) not in keep]
    for start in range(0, len(stale), _DELETE_CHUNK):
        chunk = stale[start : start + _DELETE_CHUNK]
        connection.execute(
            delete(table).where(table.c.source_file == file_name, tuple_(*key_columns).in_(chunk))
        )
    counts = upsert_rows(connection, table, columns, rows, key=key, touch=["ingested_at"])
    return _counts(len(rows), len(rejections), counts, len(stale))


def _replace_rejections(
    session: Session,
    source: str,
    file_name: str,
    file_sha256: str,
    rejections: Sequence[Rejection],
    run_id: str | None,
) -> None:
    """Make the file's refusals equal to `rejections`; identical ones are left untouched, so
    re-ingesting the same content rewrites nothing (they keep the run that first refused them)."""
    table = IngestRejection.__table__
    where = (table.c.source == source) & (table.c.file == file_name)
    wanted = Counter((r.row_number, r.raw_row, r.reason, file_sha256) for r in rejections)
    obsolete: list[int] = []
    for row in session.execute(
        select(
            table.c.id, table.c.row_number, table.c.raw_row, table.c.reason, table.c.file_sha256
        ).where(where)  # fmt: skip
    ):
        identity = (row.row_number, row.raw_row, row.reason, row.file_sha256)
        if wanted[identity] > 0:
            wanted[identity] -= 1
        else:
            obsolete.append(row.id)
    for start in range(0, len(obsolete), _DELETE_CHUNK):
        session.execute(
            delete(table).where(table.c.id.in_(obsolete[start : start + _DELETE_CHUNK]))
        )
    fresh = [
        {
            "source": source,
            "file": file_name,
            "row_number": number,
            "raw_row": raw,
            "reason": reason,
            "file_sha256": sha,
            "run_id": run_id,
        }  # fmt: skip
        for (number, raw, reason, sha), n in wanted.items()
        for _ in range(n)
    ]
    if fresh:
        session.execute(insert(table), fresh)


def _counts(accepted: int, rejected: int, upserted: UpsertCounts, removed: int) -> FileLoadCounts:
    return FileLoadCounts(
        accepted, rejected, upserted.inserted, upserted.updated, upserted.unchanged, removed
    )
