"""The merge for a batch whose months are locked (fast_load.lock_months): UPDATE, then INSERT.

With no other writer able to touch the batch's months, the merge needs no ON CONFLICT: one
set-based UPDATE of the keys whose compared values changed, then one INSERT of the keys not
there yet (an anti-join). Both report exact counts through rowcount, and on a partitioned
table this is about twice as fast as ON CONFLICT plus counting the keys already present
(measured on 500 k unchanged rows). A key given twice is refused up front, as ON CONFLICT
would refuse it, instead of letting an arbitrary copy win.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DuplicateKeyInBatch(Exception):
    """Raised inside the caller's savepoint; the caller names the row."""


def merge_locked(
    cursor: Any,
    target: str,
    stage: str,
    columns: Sequence[str],
    key: Sequence[str],
    compare: Sequence[str],
    touch: Sequence[str],
) -> tuple[int, int]:
    """(inserted, updated) after merging the stage into the target."""
    key_list = ", ".join(key)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stage} GROUP BY {key_list} HAVING count(*) > 1)")
    if cursor.fetchone()[0]:
        raise DuplicateKeyInBatch
    cursor.execute(f"ANALYZE {stage}")  # row estimates for the joins below
    match = " AND ".join(f"t.{k} = s.{k}" for k in key)
    values = [c for c in columns if c not in key]
    updated = 0
    if values and compare:
        assignments = [f"{c} = s.{c}" for c in values]
        assignments += [f"{c} = CURRENT_TIMESTAMP" for c in touch]
        changed = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in compare)
        cursor.execute(
            f"UPDATE {target} t SET {', '.join(assignments)} FROM {stage} s "
            f"WHERE {match} AND ({changed})"
        )
        updated = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {target} ({', '.join(columns)}) "
        f"SELECT {', '.join('s.' + c for c in columns)} FROM {stage} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})"
    )
    return cursor.rowcount, updated
