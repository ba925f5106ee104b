"""Alembic, driven from code: bring a database to head, safely from several processes at once."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, exc, text

from floodingnaque_pipeline.db.engine import DatabaseError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every process migrating this database.
MIGRATION_LOCK_ID = 0x466C6F6F64  # "Flood"
# A migration of this schema takes seconds; five minutes covers a big one running elsewhere.
LOCK_WAIT_S = 300.0
LOCK_POLL_S = 0.25
log = logging.getLogger(__name__)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine, lock_wait_s: float = LOCK_WAIT_S) -> None:
    """Idempotent; on Postgres an advisory lock serialises concurrent callers, on SQLite a
    file lock."""
    with _sqlite_file_lock(engine), engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            _acquire_lock(connection, lock_wait_s)
        try:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
        finally:
            if postgres:
                _release_lock(connection)


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory lock: two first runs (`dg launch` twice at once) migrating one
    fresh file both ran the DDL ("duplicate column name"). An flock beside the file serialises
    them; a signal still interrupts the wait (PEP 475 retries only when no handler raised)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _acquire_lock(connection: Connection, wait_s: float) -> None:
    """Poll pg_try_advisory_lock instead of blocking in pg_advisory_lock: a process blocked in
    the driver cannot run its SIGTERM handler (a run waited 196 s, deaf to termination), while
    one sleeping between tries can. Gives up after `wait_s`, naming the holder."""
    deadline = time.monotonic() + wait_s
    announced = False
    while True:
        acquired = connection.execute(
            text("SELECT pg_try_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID}
        ).scalar_one()
        connection.commit()
        if acquired:
            return
        holder = lock_holder(connection)
        if time.monotonic() >= deadline:
            raise DatabaseError(
                f"gave up after {wait_s:g} s waiting for the migration lock (advisory lock "
                f"{MIGRATION_LOCK_ID}), held by {holder}; if that session is stuck, end it with "
                "SELECT pg_terminate_backend(<pid>)"
            )
        if not announced:
            log.warning("waiting up to %g s for the migration lock held by %s", wait_s, holder)
            announced = True
        time.sleep(LOCK_POLL_S)


def lock_holder(connection: Connection) -> str:
    """Who holds the migration lock: pid, application, client, since when (no query text)."""
    row = connection.execute(
        text(
            "SELECT a.pid, a.application_name, a.client_addr, a.backend_start, a.state "
            "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high "
            "AND l.objid = :low AND l.objsubid = 1 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"high": MIGRATION_LOCK_ID >> 32, "low": MIGRATION_LOCK_ID & 0xFFFFFFFF},
    ).first()
    connection.commit()
    if row is None:
        return "a session that has just released it"
    pid, application, client, since, state = row
    return (
        f"backend pid {pid} (application {application or '-'!r}, client {client or 'local'}, "
        f"connected since {since:%Y-%m-%d %H:%M:%S %Z}, state {state or 'unknown'})"
    )


def _release_lock(connection: Connection) -> None:
    # After a lost connection there is nothing to unlock (the server dropped the lock with the
    # session); failing here would hide the error that lost it.
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
    except exc.DBAPIError as error:
        log.warning("could not release the migration lock: %s", error.orig)


def downgrade_to_base(engine: Engine) -> None:
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "base")
        connection.commit()
