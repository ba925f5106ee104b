"""Waits and lost connections on a real PostgreSQL: the migration lock is waited for boundedly
and interruptibly, naming its holder; a backend killed mid-INSERT is reported by its cause."""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from floodingnaque_pipeline.db.engine import DatabaseError
from floodingnaque_pipeline.db.migrate import MIGRATION_LOCK_ID
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.weather import upsert_weather
from floodingnaque_pipeline_tests.weather_rows import seed_locations, weather_rows

HANG_GUARD_S = 120  # only so that a broken build fails instead of hanging CI
HOLDER = "lock-holder-test"


def _dsn(url: str, application: str) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host} port={parsed.port} user={parsed.username} "
        f"dbname={parsed.database} application_name={application}"
    )


@contextmanager
def _migration_lock_held(url: str) -> Iterator[int]:
    """Another session holds the migration lock (as a stuck migrator would); yields its pid."""
    connection = psycopg2.connect(_dsn(url, HOLDER))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s), pg_backend_pid()", (MIGRATION_LOCK_ID,))
            yield cursor.fetchone()[1]
    finally:
        connection.close()


def test_migration_lock_wait_is_bounded_and_names_the_holder(pg_url: str) -> None:
    database = AppDatabase(pg_url)
    try:
        with _migration_lock_held(pg_url) as pid:
            with pytest.raises(DatabaseError) as raised:
                database.migrate(lock_wait_s=0.3)
        message = str(raised.value)
        assert "migration lock" in message and f"pid {pid}" in message
        assert repr(HOLDER) in message
        database.migrate(lock_wait_s=0.3)  # released: the same call now succeeds
    finally:
        database.dispose()


# A run worker as Dagster builds it: SIGTERM raises inside the process (it is not the default
# action, which would kill even a process blocked in C).
WAITER = """
import logging, signal, sys
from floodingnaque_pipeline.db.session import AppDatabase
def interrupted(signum, frame):
    raise KeyboardInterrupt("SIGTERM")
signal.signal(signal.SIGTERM, interrupted)
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
try:
    AppDatabase(sys.argv[1]).migrate()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
print("migrated", flush=True)
"""


def _wait_for_line(process: subprocess.Popen[str], needle: str) -> str:
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)  # type: ignore[arg-type]
    seen = ""
    while needle not in seen:
        if not selector.select(timeout=HANG_GUARD_S) or process.poll() is not None:
            pytest.fail(f"the waiter never said {needle!r}; stderr so far: {seen!r}")
        seen += process.stderr.readline()  # type: ignore[union-attr]
    return seen


def test_a_run_waiting_for_the_migration_lock_obeys_sigterm(pg_url: str) -> None:
    with _migration_lock_held(pg_url) as pid:
        waiter = subprocess.Popen(
            [sys.executable, "-c", WAITER, pg_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            said = _wait_for_line(waiter, "waiting up to")
            assert f"pid {pid}" in said and repr(HOLDER) in said
            waiter.send_signal(signal.SIGTERM)
            out, _ = waiter.communicate(timeout=HANG_GUARD_S)  # while the lock is still held
        finally:
            if waiter.poll() is None:
                waiter.kill()
    assert (waiter.returncode, out.strip()) == (3, "interrupted")


def test_backend_killed_mid_upsert_reports_the_cause(pg_url: str) -> None:
    guard = psycopg2.connect(_dsn(pg_url, "guard"))
    guard.autocommit = True
    with guard, guard.cursor() as cursor:  # if the kill never comes, fail instead of hanging
        cursor.execute(f"ALTER DATABASE {make_url(pg_url).database} SET lock_timeout = '120s'")
    guard.close()
    database = AppDatabase(pg_url)
    database.migrate()
    ids = seed_locations(database)
    rows = [(*r, None) for r in weather_rows(ids[:2], 48)]
    with database.session() as session:
        upsert_weather(session, rows[:1])
    blocker = psycopg2.connect(_dsn(pg_url, "row-lock-holder"))
    killed: list[str] = []

    def terminate_the_waiting_upsert() -> None:
        admin = psycopg2.connect(_dsn(pg_url, "killer"))
        admin.autocommit = True  # pg_stat_activity is a snapshot per transaction
        with admin, admin.cursor() as cursor:
            while not killed:  # poll until the upsert waits on the row lock, then end it
                # pg_stat_activity is read once at the statement's start and pg_blocking_pids
                # live, so a row may pair the upsert's previous statement (its month lock) with
                # the wait of the next one: only a row showing the weather_data write counts.
                cursor.execute(
                    "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND %s = ANY(pg_blocking_pids(pid)) AND query LIKE '%%weather_data%%'",
                    (blocker_pid,),
                )
                for pid, query in cursor.fetchall():
                    cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed.append(query)

    try:
        with blocker.cursor() as cursor:  # holds the first row's lock until rolled back
            cursor.execute("UPDATE weather_data SET temperature_c = 20")
            cursor.execute("SELECT pg_backend_pid()")
            blocker_pid = cursor.fetchone()[0]
        killer = threading.Thread(target=terminate_the_waiting_upsert, daemon=True)
        killer.start()
        with pytest.raises(DatabaseError) as raised:
            with database.session() as session:
                upsert_weather(session, [(*r[:3], 31.0, *r[4:]) for r in rows])
        killer.join(HANG_GUARD_S)
    finally:
        blocker.rollback()
        blocker.close()
        database.dispose()
    assert killed, "the upsert was never seen waiting"
    # The cause first (libpq's words for a terminated backend); the "connection already
    # closed" of the clean-up on the dead connection may follow, never replace it.
    detail = str(raised.value).split("failed: ", 1)[1]
    assert detail.startswith("server closed the connection unexpectedly"), detail
