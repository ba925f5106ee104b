"""The slowest statements of the app database, from pg_stat_statements (PostgreSQL only).

The extension must be preloaded by the server (docker-compose.yml does it) and created in
the app database; without it `slowest_statements` says why instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, exc, text

from floodingnaque_pipeline.domain.markdown import markdown_table

QUERY = text(
    "SELECT s.query, s.calls, s.mean_exec_time, s.max_exec_time, s.total_exec_time, s.rows "
    "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
    "WHERE d.datname = current_database() AND s.calls > 0 "
    "ORDER BY s.mean_exec_time DESC LIMIT :limit"
)


@dataclass(frozen=True)
class Statement:
    query: str
    calls: int
    mean_ms: float
    max_ms: float
    total_ms: float
    rows: int


@dataclass(frozen=True)
class SlowQueries:
    statements: list[Statement]
    unavailable: str = ""  # why there are no figures ("" when pg_stat_statements answered)


def slowest_statements(connection: Connection, limit: int = 10) -> SlowQueries:
    if connection.dialect.name != "postgresql":
        return SlowQueries([], "SQLite keeps no statement statistics")
    try:
        with connection.begin_nested():  # a refusal must not poison the caller's transaction
            rows = connection.execute(QUERY, {"limit": limit}).all()
    except exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        return SlowQueries([], f"pg_stat_statements unavailable: {reason}")
    return SlowQueries([Statement(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows])


def markdown(statements: list[Statement], width: int = 120) -> str:
    rows = [
        (
            f"{s.mean_ms:.1f}",
            f"{s.max_ms:.1f}",
            s.calls,
            s.rows,
            f"`{' '.join(s.query.split())[:width]}`",
        )
        for s in statements
    ]
    header = ["mean ms", "max ms", "calls", "rows", "statement"]
    # The statement is cut above; the cell limit only leaves room for escapes and backticks.
    return markdown_table(header, rows, width=2 * width + 2, align="rrrr")
