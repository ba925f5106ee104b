"""Storing one parsed label file (PAGASA station days, CDRRMO flood events) and its refusals.

The database mirrors the latest accepted version of each landing file: after a store, that
file's rows are exactly the accepted rows of the new parse and its `ingest_rejections` exactly
the new refusals. A version refused whole (0 rows accepted and at least one refusal: wrong
encoding or header, unknown layout, header only, every row bad) never touches the rows: the
last accepted version's rows are kept and only its refusals are stored, to say why (a
wrong-header re-drop must not erase a decade of station days). Everything runs in the caller's
session, i.e. one transaction per file: any error rolls the whole file back. The parse is
consumed as a stream, in batches. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import (
    Table,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.label_staging import KeptKeys, LineDaySet, LineSet, RejectionStage
from floodingnaque_pipeline.db.models_labels import FloodEvent, IngestRejection, StationObservation
from floodingnaque_pipeline.db.stale_rows import delete_stale_rows
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline.sources import cdrrmo, pagasa
from floodingnaque_pipeline.sources.records import Rejection

PAGASA = "pagasa"
CDRRMO = "cdrrmo"
BATCH = 5_000  # items parsed, then written, at a time: memory stays flat as files grow
# Called with each batch's accepted records before they are written (cross-file repeats must
# be measured while the other file still holds the day).
BatchHook = Callable[[Session, list[Any]], None]

# Record attributes stored as columns of the same name; every row also gets its provenance
# (source_file = the landing-relative path, source_row = the record's line in the file).
STATION_FIELDS = (
    "station", "observed_on", "rainfall_mm", "rainfall_trace", "tmax_c", "tmin_c",
    "relative_humidity_pct", "wind_speed_ms", "wind_direction_deg",
)  # fmt: skip
FLOOD_FIELDS = (
    "event_date", "barangay", "barangay_inferred", "location_text", "latitude", "longitude",
    "depth_class", "depth_in", "weather_disturbance", "date_evidence", "source_record",
    "range_day",
)  # fmt: skip
PROVENANCE = ("source_file", "source_row")
STATION_KEY = ("station", "observed_on")  # a later file for the same day takes the day over
# An event has no natural key: it is where it stands in its file, and which day of a printed
# range it labels (0 for a one-day record; migration 0012).
FLOOD_KEY = (*PROVENANCE, "range_day")


@dataclass(frozen=True)
class FileLoadCounts:
    accepted: int
    rejected: int
    inserted: int
    updated: int
    unchanged: int
    removed: int  # rows of the file's previous version that the new version no longer has
    refused_whole: bool = False  # 0 rows accepted, >= 1 refused: the stored rows were kept
    kept_previous: int = 0  # when refused whole: rows still stored from the last accepted version


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
    items: Iterable[pagasa.StationObservation | Rejection],
    run_id: str | None,
    before_batch: BatchHook | None = None,
) -> FileLoadCounts:
    return _store(session, PAGASA, StationObservation.__table__, STATION_FIELDS, STATION_KEY,
                  file_name, file_sha256, items, run_id, before_batch)  # fmt: skip


def store_flood_file(
    session: Session,
    file_name: str,
    file_sha256: str,
    items: Iterable[cdrrmo.FloodEvent | Rejection],
    run_id: str | None,
    before_batch: BatchHook | None = None,
) -> FileLoadCounts:
    return _store(session, CDRRMO, FloodEvent.__table__, FLOOD_FIELDS, FLOOD_KEY, file_name,
                  file_sha256, items, run_id, before_batch)  # fmt: skip


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


def top_reasons(
    session: Session, source: str, file_name: str, limit: int = 5
) -> tuple[list[tuple[int, str, int | None]], int]:
    """The file's most common refusal reasons as (rows, reason, first line), and how many
    other reasons there are: counted by the database, so a file of a million refusals is
    summarised without reading them."""
    t = IngestRejection.__table__
    where = (t.c.source == source) & (t.c.file == file_name)
    rows = session.execute(
        select(func.count(), t.c.reason, func.min(t.c.row_number))
        .where(where)
        .group_by(t.c.reason)
        .order_by(func.count().desc(), func.min(t.c.row_number))
        .limit(limit)
    ).all()
    reasons = session.execute(select(func.count(func.distinct(t.c.reason))).where(where))
    return [(n, reason, first) for n, reason, first in rows], reasons.scalar_one() - len(rows)


def _store(
    session: Session,
    source: str,
    table: Table,
    fields: Sequence[str],
    key: Sequence[str],
    file_name: str,
    file_sha256: str,
    items: Iterable[Any],
    run_id: str | None,
    before_batch: BatchHook | None,
) -> FileLoadCounts:
    """Store a parse as it streams in, BATCH items at a time, in the caller's transaction.

    What is kept in memory across batches is the key of each accepted row (to find the rows
    the new version no longer has); the refusals go through a temporary table."""
    columns = [*fields, *PROVENANCE]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Two runs of the same file queue here instead of interleaving their rows.
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
            {"name": f"label-file:{source}:{file_name}"},
        )
    varying = [k for k in key if k != "source_file"]  # the file is the scope, not a key part
    key_index = [columns.index(k) for k in varying]
    kept: KeptKeys = set()
    if varying == ["source_row"]:
        kept = LineSet()
    elif varying == ["source_row", "range_day"]:  # flood events: a bit per line, as before
        kept = LineDaySet()
    staged = RejectionStage(connection)
    totals = UpsertCounts()
    accepted = rejected = 0
    for batch in _batches(items, BATCH):
        records = [item for item in batch if not isinstance(item, Rejection)]
        refusals = [item for item in batch if isinstance(item, Rejection)]
        if before_batch is not None:
            before_batch(session, records)
        rows = [(*(getattr(r, f) for f in fields), file_name, r.row_number) for r in records]
        if rows:
            totals = totals + upsert_rows(
                connection, table, columns, rows, key=key, touch=["ingested_at"]
            )
        for row in rows:
            kept.add(tuple(row[i] for i in key_index))
        staged.add(refusals)
        accepted += len(rows)
        rejected += len(refusals)
    staged.replace(source, file_name, file_sha256, run_id)
    in_file = table.c.source_file == file_name
    if accepted == 0 and rejected > 0:  # refused whole: the last accepted version stays
        previous = connection.execute(select(func.count()).select_from(table).where(in_file))
        return FileLoadCounts(0, rejected, 0, 0, 0, 0, True, previous.scalar_one())
    # After the upsert: rows taken over from another file then carry this file's name, and
    # their key is kept.
    removed = delete_stale_rows(connection, table, varying, kept, where=in_file)
    return _counts(accepted, rejected, totals, removed)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _counts(accepted: int, rejected: int, upserted: UpsertCounts, removed: int) -> FileLoadCounts:
    return FileLoadCounts(
        accepted, rejected, upserted.inserted, upserted.updated, upserted.unchanged, removed
    )
