"""Partition weather_data (yearly, observed_at) and raw_weather_pulls (monthly, window_start)

PostgreSQL only: each filled table is renamed aside, a partitioned twin is created with the
same columns and constraints, partitions are made for every period its rows fall in plus the
current and the next ones, the rows are copied in one INSERT ... SELECT, and the old table is
dropped. Keys and indexes are built after the copy (one sort each, not row by row).
On every backend raw_weather_pulls' unique key becomes (pull_key, window_start): a unique
key of a partitioned table must include the partition column.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "partitions"
# Self-contained on purpose (like 0001): (table, column, months per partition, name prefix).
WEATHER = ("weather_data", "observed_at", 12, "y")
PULLS = ("raw_weather_pulls", "window_start", 1, "m")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("raw_weather_pulls") as batch:
            batch.drop_constraint("uq_raw_weather_pulls_pull_key", type_="unique")
            batch.create_unique_constraint(
                "uq_raw_weather_pulls_pull_key_window_start", ["pull_key", "window_start"]
            )
        return
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    _partition(WEATHER, renamed=["pk_weather_data"], drop_index="ix_weather_data_observed_at_brin")
    op.execute(
        "ALTER TABLE weather_data ADD CONSTRAINT pk_weather_data "
        "PRIMARY KEY (location_id, observed_at, source)"
    )
    op.execute(
        "ALTER TABLE weather_data ADD CONSTRAINT fk_weather_data_location_id_locations "
        "FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE"
    )
    op.execute(
        "CREATE INDEX ix_weather_data_observed_at_brin ON weather_data USING brin (observed_at)"
    )
    op.execute("DROP TABLE weather_data_unpartitioned")

    _partition(
        PULLS,
        renamed=["pk_raw_weather_pulls", "uq_raw_weather_pulls_pull_key"],
        drop_index="ix_raw_weather_pulls_source_window",
    )
    op.execute(
        "ALTER TABLE raw_weather_pulls ADD CONSTRAINT pk_raw_weather_pulls "
        "PRIMARY KEY (id, window_start)"
    )
    op.execute(
        "ALTER TABLE raw_weather_pulls ADD CONSTRAINT uq_raw_weather_pulls_pull_key_window_start "
        "UNIQUE (pull_key, window_start)"
    )
    op.execute(
        "CREATE INDEX ix_raw_weather_pulls_source_window "
        "ON raw_weather_pulls (source, window_start, window_end)"
    )
    # The id sequence belonged to the old table's column; hand it over before the drop.
    op.execute("ALTER SEQUENCE raw_weather_pulls_id_seq OWNED BY raw_weather_pulls.id")
    op.execute("DROP TABLE raw_weather_pulls_unpartitioned")


def _partition(spec: tuple[str, str, int, str], renamed: list[str], drop_index: str) -> None:
    table, column, months, prefix = spec
    old = f"{table}_unpartitioned"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for constraint in renamed:  # constraint-backed index names are schema-wide
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {constraint} TO {constraint}_old")
    op.execute(f"DROP INDEX {drop_index}")
    op.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        f"PARTITION BY RANGE ({column})"
    )
    bind = op.get_bind()
    first, last = bind.execute(text(f"SELECT min({column}), max({column}) FROM {old}")).one()
    now = datetime.now(UTC)
    first = min(first or now, now)
    last = max(last or now, now)
    start = _start(first, months)
    stop = _next(_next(_start(last, months), months), months)  # one period ahead of the last
    while start < stop:
        upper = _next(start, months)
        suffix = f"{start:%Y}" if months == 12 else f"{start:%Y%m}"
        op.execute(
            f"CREATE TABLE {SCHEMA}.{table}_{prefix}{suffix} PARTITION OF {table} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{upper.isoformat()}')"
        )
        start = upper
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")


def _start(moment: datetime, months: int) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, 1 if months == 12 else moment.month, 1, tzinfo=UTC)


def _next(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    return datetime(start.year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("raw_weather_pulls") as batch:
            batch.drop_constraint("uq_raw_weather_pulls_pull_key_window_start", type_="unique")
            batch.create_unique_constraint("uq_raw_weather_pulls_pull_key", ["pull_key"])
        return
    _unpartition("weather_data", ["pk_weather_data"], "ix_weather_data_observed_at_brin")
    op.execute(
        "ALTER TABLE weather_data ADD CONSTRAINT pk_weather_data "
        "PRIMARY KEY (location_id, observed_at, source)"
    )
    op.execute(
        "ALTER TABLE weather_data ADD CONSTRAINT fk_weather_data_location_id_locations "
        "FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE"
    )
    op.execute(
        "CREATE INDEX ix_weather_data_observed_at_brin ON weather_data USING brin (observed_at)"
    )
    op.execute("DROP TABLE weather_data_partitioned")
    _unpartition(
        "raw_weather_pulls",
        ["pk_raw_weather_pulls", "uq_raw_weather_pulls_pull_key_window_start"],
        "ix_raw_weather_pulls_source_window",
    )
    op.execute("ALTER TABLE raw_weather_pulls ADD CONSTRAINT pk_raw_weather_pulls PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE raw_weather_pulls "
        "ADD CONSTRAINT uq_raw_weather_pulls_pull_key UNIQUE (pull_key)"
    )
    op.execute(
        "CREATE INDEX ix_raw_weather_pulls_source_window "
        "ON raw_weather_pulls (source, window_start, window_end)"
    )
    op.execute("ALTER SEQUENCE raw_weather_pulls_id_seq OWNED BY raw_weather_pulls.id")
    op.execute("DROP TABLE raw_weather_pulls_partitioned")
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _unpartition(table: str, renamed: list[str], drop_index: str) -> None:
    old = f"{table}_partitioned"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for constraint in renamed:
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {constraint} TO {constraint}_old")
    op.execute(f"DROP INDEX {drop_index}")
    op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute(f"INSERT INTO {table} SELECT * FROM {old}")
