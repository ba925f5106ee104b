"""Set-based reference checks for big time-series tables, in place of per-row foreign keys.

weather_data.location_id names a row of locations but is no foreign key (migration 0006):
the foreign key's RI trigger ran once per written row and cost more than a first load's COPY.
Instead every write through `upsert_rows` checks the batch's distinct ids with one query,
before anything is written. Locations are never deleted by the pipeline (they are
deactivated: locations.active), and a trigger on locations refuses deleting or renumbering
one that weather_data still names, so a checked id stays valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text


@dataclass(frozen=True)
class Reference:
    column: str
    parent: str
    parent_column: str


CHECKED_REFERENCES: dict[str, Reference] = {
    "weather_data": Reference("location_id", "locations", "id"),
}


def unknown_references(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[Reference, list[Any]] | None:
    """The checked reference and the batch's ids missing from its parent table, if any.

    On PostgreSQL the parent rows found are locked FOR KEY SHARE until commit, as a foreign
    key would: a concurrent delete of one waits for this write, then its guard sees the rows.
    """
    reference = CHECKED_REFERENCES.get(table)
    if reference is None or reference.column not in columns:
        return None
    index = list(columns).index(reference.column)
    wanted = {row[index] for row in rows} - {None}  # NULL: NOT NULL names the row later
    if not wanted:
        return None
    lock = " FOR KEY SHARE" if connection.dialect.name == "postgresql" else ""
    query = text(
        f"SELECT {reference.parent_column} FROM {reference.parent} "
        f"WHERE {reference.parent_column} IN :ids{lock}"
    ).bindparams(bindparam("ids", expanding=True))
    found = set(connection.execute(query, {"ids": sorted(wanted)}).scalars())
    unknown = sorted(wanted - found)
    return (reference, unknown) if unknown else None
