"""run_failure_alert_sensor: every failed run on the instance is queued, whoever launched it, and
its cursor moves only after the outbox insert commits. Ticks are evaluated as the daemon does
(`evaluate_tick`, with the code location's repository), on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pytest
from dagster._core.definitions.run_status_sensor_definition import RunStatusSensorCursor
from sqlalchemy import create_engine, text

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.ml.sensors import alert_outbox_sensor, run_failure_alert_sensor
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.webhook_receiver import WebhookReceiver

READ_ONLY = "default_transaction_read_only"
# The daemon evaluates a sensor with its code location's repository name (Definitions' own).
REPOSITORY_NAME = dg.Definitions(sensors=[run_failure_alert_sensor]).get_repository_def().name


@dg.op
def broken() -> None:
    raise RuntimeError("boom")


@dg.job
def failing_job() -> None:
    broken()


def _tick(instance: dg.DagsterInstance, db_url: str, cursor: str | None) -> str | None:
    """One evaluation; returns the cursor the daemon would store."""
    database = DatabaseResource(database_url=db_url)  # a fresh engine, as a new tick has
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, repository_name=REPOSITORY_NAME,
        resources={"database": database},
    ) as context:  # fmt: skip
        result = run_failure_alert_sensor.evaluate_tick(context)
    database.database.dispose()
    return result.cursor if result.cursor is not None else cursor


def _fail_directly(instance: dg.DagsterInstance) -> str:
    # What `dg launch` and `dagster job execute` do: an in-process run created on the instance,
    # with no code location origin (dagster/_core/execution/api.py execute_job).
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success and result.dagster_run.remote_job_origin is None
    return result.run_id


def test_a_run_failed_outside_the_daemon_is_queued_once(app_db: AppDatabase, db_url: str):
    instance = dg.DagsterInstance.ephemeral()
    cursor = _tick(instance, db_url, None)  # the sensor is running before the run fails
    run_id = _fail_directly(instance)
    cursor = _tick(instance, db_url, cursor)
    cursor = _tick(instance, db_url, cursor)  # a later tick adds nothing
    [(key, payload)] = query(app_db, "SELECT dedup_key, payload FROM alert_outbox")
    payload = payload if isinstance(payload, dict) else json.loads(payload)  # SQLite: text
    assert key == f"run_failure:{run_id}"
    assert payload["job"] == "failing_job" and payload["run_id"] == run_id
    assert "broken" in payload["error"]
    [step] = payload["failed_steps"]
    assert step["step"] == "broken" and "RuntimeError: boom" in step["error"]


@contextmanager
def _read_only(db_url: str) -> Iterator[None]:
    """The app database up but refusing writes: Postgres' default_transaction_read_only for
    new sessions; on SQLite, a trigger that aborts inserts into the outbox."""
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            name = engine.url.database
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
        else:
            connection.execute(text(
                "CREATE TRIGGER read_only BEFORE INSERT ON alert_outbox "
                "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END"
            ))  # fmt: skip
    try:
        yield
    finally:
        with engine.connect() as connection:
            if postgres:
                connection.execute(text(f"SET {READ_ONLY} = off"))
                connection.execute(
                    text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
                )
            else:
                connection.execute(text("DROP TRIGGER read_only"))
        engine.dispose()


def test_a_failed_insert_keeps_the_cursor_and_the_next_tick_delivers(
    app_db: AppDatabase, db_url: str
):
    instance = dg.DagsterInstance.ephemeral()
    cursor = _tick(instance, db_url, None)
    run_id = _fail_directly(instance)
    with _read_only(db_url), pytest.raises(Exception, match="read.?only"):
        _tick(instance, db_url, cursor)  # the tick fails; the daemon keeps the old cursor
    assert query(app_db, "SELECT count(*) FROM alert_outbox") == [(0,)]
    cursor = _tick(instance, db_url, cursor)  # the database is writable again
    with WebhookReceiver() as receiver:
        webhook = AlertWebhookResource(url=receiver.url, attempts=1)
        resources = {"database": DatabaseResource(database_url=db_url), "alert_webhook": webhook}
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            alert_outbox_sensor(context)
    assert [(body["kind"], body["run_id"]) for body in receiver.received] == [
        ("run_failure", run_id)
    ]
    assert receiver.keys == [f"run_failure:{run_id}"]


def test_the_cursor_of_the_replaced_run_failure_sensor_is_carried_on(
    app_db: AppDatabase, db_url: str
):
    # The daemon keeps a sensor's cursor by name: the run_failure_sensor this replaced left a
    # RunStatusSensorCursor. Failures it already handled are not queued again; later ones are.
    instance = dg.DagsterInstance.ephemeral()
    _fail_directly(instance)
    [handled] = instance.fetch_run_status_changes(dg.DagsterEventType.RUN_FAILURE, limit=1).records
    old_cursor = RunStatusSensorCursor(record_id=handled.storage_id).to_json()
    later = _fail_directly(instance)
    assert _tick(instance, db_url, old_cursor) != old_cursor
    assert query(app_db, "SELECT dedup_key FROM alert_outbox") == [(f"run_failure:{later}",)]
