"""Shared bench helpers: a throwaway Postgres database, a one-off query and a stopwatch.

Benches import no test modules; the stand-ins they run (Open-Meteo, the daemon topology)
come from the installable `floodingnaque_pipeline_tests.fakes` package.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy import text

from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.locations import load_default_locations

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def _admin(sql: str) -> None:
    connection = psycopg2.connect(PG_ADMIN_DSN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows of one statement on its own short-lived connection."""
    connection = psycopg2.connect(url, connect_timeout=10)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


@contextmanager
def stopwatch(label: str, results: dict[str, float]) -> Iterator[None]:
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"  {label}: {results[label]:.2f} s", flush=True)


def migrated_with_locations(url: str) -> tuple[AppDatabase, list[int]]:
    """The app schema plus the 16 default locations; returns the database and their ids."""
    database = AppDatabase(url)
    database.migrate()
    with database.session() as session:
        sync_locations(session, load_default_locations())
        ids = list(session.execute(text("SELECT id FROM locations ORDER BY id")).scalars())
    return database, ids
