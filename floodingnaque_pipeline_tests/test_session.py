"""The session layer: rollback on error, concurrent migrations, and no leaked passwords."""

import logging
import subprocess
import sys

import dagster as dg
import pytest
from sqlalchemy import func, select

from floodingnaque_pipeline.db.engine import DatabaseError
from floodingnaque_pipeline.db.migrate import current_revision, head_revision
from floodingnaque_pipeline.db.models import Location
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.locations import locations
from floodingnaque_pipeline.resources.database import DatabaseResource


def test_exception_inside_session_rolls_back(app_db: AppDatabase) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with app_db.session() as session:
            session.add(Location(slug="x", name="X", latitude=14.5, longitude=121.0))
            session.flush()
            raise RuntimeError("boom")
    with app_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Location)) == 0


def test_session_commits_on_success(app_db: AppDatabase) -> None:
    with app_db.session() as session:
        session.add(Location(slug="x", name="X", latitude=14.5, longitude=121.0))
    with app_db.session() as session:
        assert session.scalar(select(Location.name)) == "X"


MIGRATE_SCRIPT = """
import sys, time
from floodingnaque_pipeline.db.session import AppDatabase
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
AppDatabase(sys.argv[1]).migrate()
print("migrated")
"""


def test_two_processes_migrate_a_fresh_postgres_at_once(pg_url: str) -> None:
    import time

    start_at = str(time.time() + 3.0)  # both start together, after their imports
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_SCRIPT, pg_url, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "migrated" in out
    database = AppDatabase(pg_url)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()


SECRET = "S3cr3t-Pa55word"
CLOSED_PORT_URL = f"postgresql://floodingnaque:{SECRET}@127.0.0.1:1/floodingnaque"


def test_password_never_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    database = AppDatabase(CLOSED_PORT_URL)
    assert SECRET not in database.display_url
    for attempt in (database.ping, database.migrate):
        with pytest.raises(DatabaseError) as raised:
            attempt()
        assert SECRET not in str(raised.value)
        assert SECRET not in repr(raised.value)
        assert raised.value.__cause__ is None and raised.value.__suppress_context__
        assert "127.0.0.1" in str(raised.value)  # still says where it tried
    assert SECRET not in caplog.text


def test_password_never_in_a_failed_dagster_run(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    result = dg.materialize(
        [locations],
        resources={"database": DatabaseResource(database_url=CLOSED_PORT_URL)},
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_failure]
    assert failures
    for event in result.all_events:
        assert SECRET not in str(event.event_specific_data)
        assert SECRET not in (event.message or "")
    out, err = capfd.readouterr()
    assert SECRET not in out + err + caplog.text
    assert "Connection refused" in out + err + caplog.text + str(failures[0].event_specific_data)
