"""Deleting the rows a rebuild no longer has: one rule for every table that mirrors a source."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Connection, Table, delete, select, tuple_

# Bound parameters per DELETE: far below SQLite's limit (999 on old builds) for any key width.
_MAX_PARAMETERS = 800


def delete_stale_rows(
    connection: Connection,
    table: Table,
    key: Sequence[str],
    keep: Collection[tuple],
    where: ColumnElement[bool] | None = None,
) -> int:
    """Delete the rows of `table` (those matching `where`, if given) whose `key` values are not
    in `keep`; returns how many. Keys are compared as plain tuples, in `key` order."""
    key_columns = [table.c[k] for k in key]
    scope = [] if where is None else [where]
    # Streamed: a file of a million rows re-ingested must not hold a million keys twice.
    existing = connection.execute(
        select(*key_columns).where(*scope).execution_options(yield_per=10_000)
    )
    stale = [tuple(k) for k in existing if tuple(k) not in keep]
    chunk = max(1, _MAX_PARAMETERS // len(key_columns))
    for start in range(0, len(stale), chunk):
        batch = stale[start : start + chunk]
        connection.execute(delete(table).where(*scope, tuple_(*key_columns).in_(batch)))
    return len(stale)
