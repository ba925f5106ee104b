"""alerts_delivered (a check on flood_risk) warns once an alert waits longer than the limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from floodingnaque_pipeline.db.alert_outbox import due, enqueue, mark_delivered, mark_failed
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.ml.alert_check import MAX_UNDELIVERED_MIN, alerts_delivered
from floodingnaque_pipeline.resources.database import DatabaseResource


def test_alerts_delivered_fails_while_an_old_alert_waits(app_db: AppDatabase, db_url: str):
    database = DatabaseResource(database_url=db_url)
    assert alerts_delivered(database=database).passed  # empty outbox
    now = datetime.now(UTC)
    with app_db.session() as session:
        enqueue(session, "run_failure", "fresh", {}, now)
    assert alerts_delivered(database=database).passed  # waiting, but within the limit

    stale = now - timedelta(minutes=MAX_UNDELIVERED_MIN + 5)
    with app_db.session() as session:
        enqueue(session, "run_failure", "stale", {}, stale)
        mark_failed(session, due(session, now)[0].id, "HTTP 503", now)
    result = alerts_delivered(database=database)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description.startswith("2 undelivered, oldest 20.")
    assert "HTTP 503" in result.description

    with app_db.session() as session:
        for alert in due(session, now + timedelta(hours=1)):
            mark_delivered(session, alert.id, now)
    assert alerts_delivered(database=database).passed
