"""First loads on PostgreSQL: COPY straight into the table when the batch's time range is empty.

Most backfill months land in ranges that hold no rows yet; there ON CONFLICT, the staging
table and the counting CTE are pure overhead. Every writer of a range-partitioned table takes
a transaction-scoped advisory lock per calendar month its batch touches (in ascending order,
so two writers cannot deadlock on them), then looks at the range: empty means a plain COPY,
anything else means the merge. A second run racing on the same month waits for the first to
commit, then sees its rows and merges, so neither duplicates nor fails.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table

from floodingnaque_pipeline.db.copy_format import CopyStream


def batch_range(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], column: str
) -> tuple[datetime, datetime] | None:
    """(min, max) of `column` over the rows, or None when any value is missing."""
    values = list(map(itemgetter(list(columns).index(column)), rows))
    if not values or None in values:  # C-level scans: this runs on every batch
        return None
    return min(values), max(values)


def lock_months(cursor: Any, table: str, first: datetime, last: datetime) -> None:
    """Advisory locks (released at commit) on every UTC month in [first, last], in order."""
    table_key = zlib.crc32(table.encode()) & 0x7FFFFFFF
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    month, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    for number in range(month, end + 1):
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", (table_key, number))


def range_is_empty(cursor: Any, table: str, column: str, first: datetime, last: datetime) -> bool:
    cursor.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM {table} WHERE {column} BETWEEN %s AND %s)",
        (first, last),
    )
    return bool(cursor.fetchone()[0])


def copy_into_table(
    cursor: Any, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> bool:
    """COPY the rows into the table itself; False (and nothing written) when it refuses any.

    The caller then takes the staged path, which names the offending row.
    """
    import psycopg2

    cursor.execute("SAVEPOINT floodingnaque_fast_load")
    try:
        cursor.copy_expert(
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN",
            CopyStream(table, columns, rows),
        )
    except psycopg2.Error:
        cursor.execute("ROLLBACK TO SAVEPOINT floodingnaque_fast_load")
        return False
    cursor.execute("RELEASE SAVEPOINT floodingnaque_fast_load")
    return True
