"""Bulk upsert on a natural key: stage, then one INSERT ... ON CONFLICT ... WHERE changed.

PostgreSQL: COPY into a temporary staging table, then one set-based INSERT. SQLite: batched
inserts into a temporary staging table, then the same set-based INSERT. Either way it runs in
the caller's transaction, so a failing batch writes nothing once the caller rolls back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, exc, insert, text

from floodingnaque_pipeline.db import day_digest, fast_load
from floodingnaque_pipeline.db.copy_format import CopyStream
from floodingnaque_pipeline.db.diagnose import describe_offending_row
from floodingnaque_pipeline.db.engine import DatabaseError
from floodingnaque_pipeline.db.locked_merge import Window, merge_locked
from floodingnaque_pipeline.db.partitions import SCHEMES, ensure_partitions, is_partitioned
from floodingnaque_pipeline.db.references import unknown_references

SQLITE_BATCH_ROWS = 5_000
Span = tuple[datetime, datetime]


class UpsertError(DatabaseError):
    """A batch refused by the database; the message names the offending row."""


class UnknownReferenceError(UpsertError):
    """The batch names parent rows (e.g. locations) that do not exist; nothing was written."""


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def upsert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: Sequence[str] | None = None,
    compare: Sequence[str] | None = None,
    touch: Sequence[str] = (),
) -> UpsertCounts:
    """Insert new keys, update keys whose `compare` values changed, leave the rest alone.

    rows are tuples in `columns` order. `key` defaults to the primary key; `compare` to every
    non-key column given (a column outside `compare`, e.g. a provenance id, is still written
    when the row changes); `touch` columns are set to the current time on update. Ids of a
    checked reference (db/references.py) must all exist, else nothing is written.
    On PostgreSQL, a time-partitioned table (db/partitions.py) first gets the partitions the
    rows need, and a batch whose time range holds no rows yet is copied straight in. In a
    range that holds rows, days whose stored rows equal the batch's are skipped without
    staging them, and locations/sources the range lacks are copied straight in
    (db/day_digest.py); only the rest is staged and merged.
    """
    key = list(key or [c.name for c in table.primary_key.columns])
    missing = [k for k in key if k not in columns]
    if missing:
        raise ValueError(f"{table.name}: key columns {missing} are not among the columns given")
    if not rows:
        return UpsertCounts()
    _refuse_unknown_references(connection, table.name, columns, rows)
    values = [c for c in columns if c not in key]
    compare = list(compare if compare is not None else values)
    stage = f"_stage_{table.name}_{uuid.uuid4().hex[:8]}"
    statement = _upsert_sql(table.name, stage, columns, key, values, compare, touch)
    if connection.dialect.name == "postgresql":
        partitioned = table.name in SCHEMES and is_partitioned(connection, table.name)
        fast, span = _fast_load(connection, table, columns, rows, partitioned)
        if fast is not None:
            return fast
        window = None if span is None else (SCHEMES[table.name].column, *span)
        merge = Merge(statement, partitioned, span is not None, compare, touch, window)
        if span is not None:
            skipped = _skip_unchanged_days(
                connection, table, stage, columns, rows, key, merge, span
            )
            if skipped is not None:
                return skipped
        return _upsert_postgres(connection, table, stage, columns, rows, key, merge)
    return _upsert_sqlite(connection, table, stage, columns, rows, key, compare, statement)


def _refuse_unknown_references(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    # Stands in for a per-row foreign key on weather_data (db/references.py, migration 0006).
    missing = unknown_references(connection, table, columns, rows)
    if missing is None:
        return
    reference, ids = missing
    shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
    raise UnknownReferenceError(
        f"{table}: batch of {len(rows)} rows refused, nothing written: {reference.column} "
        f"{shown} does not exist in {reference.parent} ({len(ids)} unknown)"
    )


def _upsert_sql(
    target: str,
    stage: str,
    columns: Sequence[str],
    key: Sequence[str],
    values: Sequence[str],
    compare: Sequence[str],
    touch: Sequence[str],
) -> str:
    column_list = ", ".join(columns)
    # `WHERE true` disambiguates ON CONFLICT after INSERT ... SELECT for SQLite's parser.
    head = (
        f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {stage} WHERE true "
        f"ON CONFLICT ({', '.join(key)}) "
    )
    if not values:
        return head + "DO NOTHING"
    assignments = [f"{c} = excluded.{c}" for c in values]
    assignments += [f"{c} = CURRENT_TIMESTAMP" for c in touch]
    changed = " OR ".join(f"{target}.{c} IS DISTINCT FROM excluded.{c}" for c in compare)
    return head + f"DO UPDATE SET {', '.join(assignments)} WHERE {changed or 'false'}"


def _fast_load(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    partitioned: bool,
) -> tuple[UpsertCounts | None, Span | None]:
    """Lock the batch's months; COPY when they hold no rows.

    (None, span): merge instead, under the locks of the span's months; (None, None): merge
    with ON CONFLICT, nothing locked.
    """
    scheme = SCHEMES.get(table.name)
    if scheme is None or scheme.column not in columns:
        return None, None
    span = fast_load.batch_range(columns, rows, scheme.column)
    if span is None:
        return None, None  # a NULL partition key: the staged path names the row
    if partitioned:
        ensure_partitions(connection, table.name, span)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        fast_load.lock_months(cursor, table.name, *span)
        if fast_load.range_is_empty(cursor, table.name, scheme.column, *span):
            if fast_load.copy_into_table(cursor, table, columns, rows):
                return UpsertCounts(inserted=len(rows)), span
    finally:
        cursor.close()
    return None, span


def _skip_unchanged_days(
    connection: Connection,
    table: Table,
    stage: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    merge: Merge,
    span: Span,
) -> UpsertCounts | None:
    """Merge only the day groups whose digest differs (db/day_digest.py); COPY the groups
    the table lacks straight in. None: nothing written, take the staged path for the batch
    (also on any refusal, so that the error names the row exactly as before)."""
    import psycopg2

    time = SCHEMES[table.name].column
    if not day_digest.applies(table, columns, key, merge.compare, time):
        return None
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        split = day_digest.plan(cursor, table, columns, rows, key, merge.compare, time, span)
        if split is None:
            return None
        cursor.execute("SAVEPOINT floodingnaque_day_digest")
        try:
            merged = UpsertCounts()
            if split.changed_rows:  # first: its joins then see fewer target rows
                merged = _upsert_postgres(
                    connection, table, stage, columns, split.changed_rows, key, merge
                )
            if split.new_rows and not fast_load.copy_into_table(
                cursor, table, columns, split.new_rows
            ):
                raise _Refused
        except (_Refused, UpsertError, psycopg2.Error):
            cursor.execute("ROLLBACK TO SAVEPOINT floodingnaque_day_digest")
            return None
        cursor.execute("RELEASE SAVEPOINT floodingnaque_day_digest")
    finally:
        cursor.close()
    return merged + UpsertCounts(inserted=len(split.new_rows), unchanged=split.unchanged)


class _Refused(Exception):
    """A part of the batch was refused; the whole batch goes the staged way."""


@dataclass(frozen=True)
class Merge:
    """How the staged rows are merged: ON CONFLICT, or UPDATE + INSERT under month locks."""

    statement: str  # the ON CONFLICT form
    partitioned: bool
    locked: bool
    compare: Sequence[str]
    touch: Sequence[str]
    window: Window | None = None  # the locked span, bounding the merge's joins


def _upsert_postgres(
    connection: Connection,
    table: Table,
    stage: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    merge: Merge,
) -> UpsertCounts:
    import psycopg2

    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    column_list = ", ".join(columns)
    try:
        # No constraints on the stage: the target's own constraints judge every row.
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {column_list} FROM {table.name} WITH NO DATA"
        )
        cursor.copy_expert(
            f"COPY {stage} ({column_list}) FROM STDIN", CopyStream(table, columns, rows)
        )
        cursor.execute("SAVEPOINT floodingnaque_upsert")
        try:
            if merge.locked:
                inserted, updated = merge_locked(
                    cursor,
                    table.name,
                    stage,
                    columns,
                    key,
                    merge.compare,
                    merge.touch,
                    merge.window,
                )
            else:
                inserted, updated = _merge_on_conflict(cursor, table, stage, key, merge)
        except psycopg2.Error as error:
            cursor.execute("ROLLBACK TO SAVEPOINT floodingnaque_upsert")
            where = describe_offending_row(connection, table, stage, columns, key)
            diag = getattr(getattr(error, "diag", None), "message_detail", None) or ""
            first = str(error).splitlines()[0] if str(error) else "duplicate key in the batch"
            raise UpsertError(
                f"{table.name}: batch of {len(rows)} rows refused, nothing written: "
                f"{first}. {where} {diag.strip()}".strip()
            ) from None
        cursor.execute("RELEASE SAVEPOINT floodingnaque_upsert")
        cursor.execute(f"DROP TABLE {stage}")
    finally:
        cursor.close()
    return UpsertCounts(inserted, updated, len(rows) - inserted - updated)


def _merge_on_conflict(
    cursor: Any, table: Table, stage: str, key: Sequence[str], merge: Merge
) -> tuple[int, int]:
    if merge.partitioned:
        # Only reached when the batch could not be locked (a NULL partition key, which the
        # INSERT refuses); RETURNING cannot read xmax from a partitioned table.
        cursor.execute(f"{merge.statement}")
        return cursor.rowcount, 0
    # xmax = 0 marks a freshly inserted tuple; updated ones carry the updater's xid.
    cursor.execute(
        f"WITH written AS ({merge.statement} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM written"
    )
    inserted, updated = cursor.fetchone()
    return inserted, updated


def _take_sqlite_write_lock(connection: Connection) -> None:
    """Start the unit of work with the database's write lock (BEGIN IMMEDIATE) unless it holds
    a transaction already. Filling the temporary staging table opens a transaction, and the
    counts below then read the target under a snapshot; had another process committed since,
    that snapshot could never take the write lock: SQLite says "database is locked" at once,
    without the busy wait. Waiting for the lock first makes the writers queue instead."""
    driver = connection.connection.driver_connection
    if not driver.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _upsert_sqlite(
    connection: Connection,
    table: Table,
    stage: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    compare: Sequence[str],
    statement: str,
) -> UpsertCounts:
    _take_sqlite_write_lock(connection)
    staging = Table(
        stage,
        MetaData(),
        *[Column(name, table.c[name].type) for name in columns],
        prefixes=["TEMPORARY"],
    )
    staging.create(connection)
    try:
        for start in range(0, len(rows), SQLITE_BATCH_ROWS):
            batch = rows[start : start + SQLITE_BATCH_ROWS]
            connection.execute(
                insert(staging), [dict(zip(columns, row, strict=True)) for row in batch]
            )
        join = " AND ".join(f"t.{k} = s.{k}" for k in key)
        existing = connection.execute(
            text(f"SELECT count(*) FROM {stage} s JOIN {table.name} t ON {join}")
        ).scalar_one()
        changed_clause = " OR ".join(f"t.{c} IS NOT s.{c}" for c in compare) or "0"
        changed = connection.execute(
            text(
                f"SELECT count(*) FROM {stage} s JOIN {table.name} t ON {join} "
                f"WHERE {changed_clause}"
            )
        ).scalar_one()
        where = describe_offending_row(connection, table, stage, columns, key)
        if where:  # SQLite would silently let a later duplicate win; refuse like Postgres
            raise UpsertError(
                f"{table.name}: batch of {len(rows)} rows refused, nothing written. {where}"
            )
        try:
            connection.execute(text(statement))
        except exc.IntegrityError as error:
            raise UpsertError(
                f"{table.name}: batch of {len(rows)} rows refused, nothing written: {error.orig}"
            ) from None
    finally:
        staging.drop(connection)
    return UpsertCounts(len(rows) - existing, changed, existing - changed)
