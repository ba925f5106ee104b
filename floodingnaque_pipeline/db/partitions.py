"""Range partitions of the time-series tables on PostgreSQL (SQLite keeps plain tables).

weather_data is cut by year of observed_at, raw_weather_pulls by month of window_start.
Partitions live in their own schema (`partitions`), so the app schema holds exactly the
tables of the models. There is no DEFAULT partition: a row for a range nobody created is
refused by PostgreSQL ("no partition of relation ... found for row"), never parked unseen.
Every write through `upsert_rows` first ensures the partitions its rows need, and the
`table_partitions` asset creates the coming ones ahead of time.

Partitions are created as plain tables and then ATTACHed: ATTACH takes only a SHARE UPDATE
EXCLUSIVE lock on the parent, so concurrent writers are not blocked (CREATE ... PARTITION OF
would take ACCESS EXCLUSIVE).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

SCHEMA = "partitions"
# Serialises partition DDL across processes; any constant shared by all writers works.
PARTITION_DDL_LOCK_ID = 0x46515061  # "FQPa"


@dataclass(frozen=True)
class PartitionScheme:
    table: str
    column: str
    months: int  # 12 = yearly, 1 = monthly

    def start_of(self, moment: datetime) -> datetime:
        moment = moment.astimezone(UTC)
        month = 1 if self.months == 12 else moment.month
        return datetime(moment.year, month, 1, tzinfo=UTC)

    def next_start(self, start: datetime) -> datetime:
        month = start.month - 1 + self.months
        return datetime(start.year + month // 12, month % 12 + 1, 1, tzinfo=UTC)

    def name(self, start: datetime) -> str:
        suffix = f"y{start:%Y}" if self.months == 12 else f"m{start:%Y%m}"
        return f"{self.table}_{suffix}"

    def starts(self, first: datetime, last: datetime) -> list[datetime]:
        """Starts of every partition holding a value in [first, last]."""
        out, start = [], self.start_of(first)
        while start <= last:
            out.append(start)
            start = self.next_start(start)
        return out


# Yearly for weather_data: 16 locations x 8,760 h = 140 k rows a year is small for one
# partition, and ten years stay ten partitions (bench/growth.py measured monthly vs yearly).
# Monthly for raw pulls: their payloads are large, and archival drops whole months.
WEATHER_DATA = PartitionScheme("weather_data", "observed_at", 12)
RAW_WEATHER_PULLS = PartitionScheme("raw_weather_pulls", "window_start", 1)
SCHEMES = {s.table: s for s in (WEATHER_DATA, RAW_WEATHER_PULLS)}


@dataclass(frozen=True)
class Partition:
    name: str
    lower: datetime
    upper: datetime


def is_partitioned(connection: Connection, table: str) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
                "WHERE partrelid = to_regclass(:t))"
            ),
            {"t": table},
        ).scalar_one()
    )


def existing_partitions(connection: Connection, table: str) -> list[Partition]:
    """The attached partitions of `table`, oldest first (bounds parsed from the catalog)."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": table},
    ).scalars()
    scheme = SCHEMES[table]
    parts = []
    for name in names:  # bounds follow from the name: only this module creates partitions
        start = _start_from_name(scheme, name)
        if start is not None:
            parts.append(Partition(name, start, scheme.next_start(start)))
    return sorted(parts, key=lambda p: p.lower)


def ensure_partitions(connection: Connection, table: str, moments: Iterable[datetime]) -> list[str]:
    """Create (on a separate, short transaction) the partitions that hold `moments`.

    Returns the names created. A separate connection keeps DDL locks out of the caller's
    (possibly long) transaction; ATTACH does not conflict with the caller's row locks.
    """
    scheme = SCHEMES[table]
    moments = list(moments)
    if not moments:
        return []
    wanted = scheme.starts(min(moments), max(moments))
    have = {p.lower for p in existing_partitions(connection, table)}
    missing = [s for s in wanted if s not in have]
    if not missing:
        return []
    return create_partitions(connection.engine, scheme, missing)


def create_partitions(
    engine: Engine, scheme: PartitionScheme, starts: Sequence[datetime]
) -> list[str]:
    created: list[str] = []
    with engine.connect() as ddl, ddl.begin():
        ddl.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PARTITION_DDL_LOCK_ID})
        have = {p.lower for p in existing_partitions(ddl, scheme.table)}
        for start in starts:
            if start not in have:
                _create_one(ddl, scheme, start)
                created.append(scheme.name(start))
    return created


def _create_one(connection: Connection, scheme: PartitionScheme, start: datetime) -> None:
    name = f"{SCHEMA}.{scheme.name(start)}"
    upper = scheme.next_start(start)
    connection.execute(
        text(
            f"CREATE TABLE {name} "
            f"(LIKE public.{scheme.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
    )
    connection.execute(
        text(
            f"ALTER TABLE public.{scheme.table} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{upper.isoformat()}')"
        )
    )


def partition_of_sql(scheme: PartitionScheme, start: datetime) -> str:
    """DDL for one partition inside a transaction that also created the parent (migrations)."""
    upper = scheme.next_start(start)
    return (
        f"CREATE TABLE {SCHEMA}.{scheme.name(start)} PARTITION OF public.{scheme.table} "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{upper.isoformat()}')"
    )


def ahead_of(now: datetime, scheme: PartitionScheme, periods: int = 2) -> list[datetime]:
    """The partition holding `now` and the next `periods` ones."""
    starts = [scheme.start_of(now)]
    for _ in range(periods):
        starts.append(scheme.next_start(starts[-1]))
    return starts


def create_ahead(engine: Engine, now: datetime) -> list[str]:
    """Every scheme's partition for `now` and the next two periods (the maintenance asset)."""
    created: list[str] = []
    with engine.connect() as connection:
        partitioned = [s for s in SCHEMES.values() if is_partitioned(connection, s.table)]
    for scheme in partitioned:
        created += create_partitions(engine, scheme, ahead_of(now, scheme))
    return created


def _start_from_name(scheme: PartitionScheme, name: str) -> datetime | None:
    suffix = name.removeprefix(f"{scheme.table}_")
    try:
        if scheme.months == 12 and suffix.startswith("y"):
            return datetime(int(suffix[1:5]), 1, 1, tzinfo=UTC)
        if scheme.months != 12 and suffix.startswith("m"):
            return datetime(int(suffix[1:5]), int(suffix[5:7]), 1, tzinfo=UTC)
    except ValueError:
        return None
    return None
