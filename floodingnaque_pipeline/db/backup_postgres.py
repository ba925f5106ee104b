"""PostgreSQL side of backups: a dump and its row counts from one snapshot, a restore into a
scratch database to verify it, and a restore that swaps a freshly restored database in.

The row counts and `pg_dump` read the same snapshot: a REPEATABLE READ transaction exports it
(`pg_export_snapshot()`), counts every table inside it, and `pg_dump --snapshot` reads it while
that transaction stays open. So a write between the two cannot make them differ.
The password travels in PGPASSWORD, never on a command line or in a message.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from floodingnaque_pipeline.db.engine import DatabaseError, scrub_secrets

# Leaf tables only (partitions and plain tables, every schema of ours): a partitioned parent
# holds no rows itself.
TABLES = text(
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg\\_%' "
    # An extension's own tables are made by CREATE EXTENSION, not by the dump's data.
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') "
    "ORDER BY 1, 2"
)
TERMINATE = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = :n AND pid <> pg_backend_pid()"
)


def _engine(url: str | URL, **options: object):
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return create_engine(parsed, poolclass=NullPool, hide_parameters=True, **options)


def table_counts(connection: Connection) -> dict[str, int]:
    quote = connection.dialect.identifier_preparer.quote
    counts = {}
    for schema, name in connection.execute(TABLES).all():
        query = text(f"SELECT count(*) FROM {quote(schema)}.{quote(name)}")
        counts[f"{schema}.{name}"] = connection.execute(query).scalar_one()
    return counts


def dump(url: str, path: Path) -> dict[str, int]:
    """`pg_dump -Fc` into `path`; returns the rows per table of the snapshot it dumped."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                counts = table_counts(connection)
                run(
                    ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(path)], url
                )
    finally:
        engine.dispose()
    return counts


def restored_counts(url: str, path: Path) -> dict[str, int]:
    """Restore `path` into a scratch database beside `url`'s and count its rows; drops it."""
    name = _restore_into_new_database(url, path, "verify")
    try:
        return _counts_of(url, name)
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_by_swap(url: str, path: Path, expected: dict[str, int] | None = None) -> None:
    """Restore into a new database, then swap it in under `url`'s name (which may not exist).

    Nothing of the current database is touched until the restore has fully succeeded; the swap
    itself is two renames. Sessions still connected to the old database are ended."""
    new = _restore_into_new_database(url, path, "restore")
    try:
        if expected is not None and _counts_of(url, new) != expected:
            raise DatabaseError(f"{path.name} restored other row counts than it was verified with")
        _swap_in(url, new)
    except BaseException:
        _admin(url, f'DROP DATABASE IF EXISTS "{new}" WITH (FORCE)')
        raise


def _swap_in(url: str, new: str) -> None:
    target = str(make_url(url).database)
    old = f"{target[:40]}_old_{uuid.uuid4().hex[:8]}"
    exists = _admin(url, "SELECT 1 FROM pg_database WHERE datname = :n", {"n": target})
    if exists:
        _admin(url, f'ALTER DATABASE "{target}" WITH ALLOW_CONNECTIONS false')
        try:
            _admin(url, TERMINATE, {"n": target})
            _admin(url, f'ALTER DATABASE "{target}" RENAME TO "{old}"')
        except BaseException:
            _admin(url, f'ALTER DATABASE "{target}" WITH ALLOW_CONNECTIONS true')
            raise
    try:
        _admin(url, f'ALTER DATABASE "{new}" RENAME TO "{target}"')
    except BaseException:
        if exists:  # put the current database back as it was
            _admin(url, f'ALTER DATABASE "{old}" RENAME TO "{target}"')
            _admin(url, f'ALTER DATABASE "{target}" WITH ALLOW_CONNECTIONS true')
        raise
    if exists:
        _admin(url, f'DROP DATABASE "{old}" WITH (FORCE)')


def _counts_of(url: str, database: str) -> dict[str, int]:
    engine = _engine(make_url(url).set(database=database))
    try:
        with engine.connect() as connection:
            return table_counts(connection)
    finally:
        engine.dispose()


def _restore_into_new_database(url: str, path: Path, purpose: str) -> str:
    name = f"{str(make_url(url).database)[:40]}_{purpose}_{uuid.uuid4().hex[:8]}"
    _admin(url, f'CREATE DATABASE "{name}"')
    try:
        run(
            [
                "pg_restore",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                name,
                str(path),
            ],
            url,
        )
    except BaseException:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        raise
    return name


def _admin(url: str, sql: str | object, params: dict | None = None) -> list[tuple]:
    """One statement on the server's `postgres` database (CREATE/ALTER/DROP DATABASE)."""
    engine = _engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            statement = text(sql) if isinstance(sql, str) else sql
            result = connection.execute(statement, params or {})
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def run(arguments: list[str], url: str) -> str:
    """Run a libpq tool against the URL's server; the connection goes through PG* vars."""
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", parsed.port),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value is not None:
            env[name] = str(value)
    done = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = scrub_secrets(done.stderr.strip(), url)
        raise DatabaseError(f"{arguments[0]} failed (exit {done.returncode}): {detail}")
    return done.stdout
