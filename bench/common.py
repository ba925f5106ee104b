"""Shared bench helpers: a throwaway Postgres database (named for the bench) and a stopwatch.

Benches import no test modules; the stand-ins they run (Open-Meteo, the daemon topology)
come from the installable `floodingnaque_pipeline_tests.fakes` package.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline_tests.fakes.scratch_db import (
    PG_URL_TEMPLATE,
    drop_pg_database,
    pg_admin,
)


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A fresh database on the local PostgreSQL, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    pg_admin(f"CREATE DATABASE {name}")
    try:
        yield PG_URL_TEMPLATE.format(name=name)
    finally:
        drop_pg_database(name)


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
