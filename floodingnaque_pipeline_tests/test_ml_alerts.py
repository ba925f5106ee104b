"""The alert outbox end to end: flood_risk enqueues transitions, alert_outbox_sensor delivers them
to a loopback webhook exactly once, across outages; failed runs go through the same outbox."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
from sqlalchemy import delete

from floodingnaque_pipeline.db.models import WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import FORECAST_COLUMNS
from floodingnaque_pipeline.defs.ml.sensors import alert_outbox_sensor, run_failure_alert_sensor
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import ML_ASSETS, run_ml
from floodingnaque_pipeline_tests.weather_rows import seed_locations
from floodingnaque_pipeline_tests.webhook_receiver import WebhookReceiver

START = datetime(2024, 8, 10, 1, 10, tzinfo=UTC)  # 09:10 in Manila


def _forecast(database: AppDatabase, now: datetime, wet: dict[str, float]) -> None:
    """The next 36 forecast hours for every location: dry, except one hour of `wet[slug]` mm."""
    rows = []
    for location_id, slug in query(database, "SELECT id, slug FROM locations"):
        for h in range(1, 37):
            rain = wet.get(slug, 0.0) if h == 3 else 0.0
            valid_at = now.replace(minute=0) + timedelta(hours=h)
            rows.append(
                (location_id, "open_meteo_forecast", valid_at, now, 27.0, 80.0, rain, 1008.0, 9.0,
                 None)
            )  # fmt: skip
    with database.session() as session:
        session.execute(delete(WeatherForecast))
        upsert_rows(session.connection(), WeatherForecast.__table__, FORECAST_COLUMNS, rows)


def _issue(database: AppDatabase, db_url: str, instance: dg.DagsterInstance, hour: int,
           wet: dict[str, float]) -> None:  # fmt: skip
    now = START + timedelta(hours=hour)
    _forecast(database, now, wet)
    as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
    run_ml([ML_ASSETS["risk"]], db_url, instance, run_config=as_of)


def _sender(db_url: str, webhook_url: str) -> dict[str, Any]:
    # One POST per alert per tick, and no wait between ticks: the outage is counted in ticks.
    webhook = AlertWebhookResource(url=webhook_url, attempts=1, retry_after_s=0)
    return {"database": DatabaseResource(database_url=db_url), "alert_webhook": webhook}


def _tick(instance: dg.DagsterInstance, resources: dict[str, Any]) -> str:
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        result = alert_outbox_sensor(context)
    assert isinstance(result, dg.SkipReason)  # the sender never launches runs
    return result.skip_message or ""


def _slugs(alerts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(a["location"]["slug"], a["level"]) for a in alerts]


def test_webhook_down_for_three_ticks_then_every_alert_arrives_once(app_db, db_url):
    seed_locations(app_db)
    instance = dg.DagsterInstance.ephemeral()
    with WebhookReceiver() as receiver:
        resources = _sender(db_url, receiver.url)
        _issue(app_db, db_url, instance, 0, {})
        assert "delivered 0" in _tick(instance, resources)  # all Safe: no transition
        receiver.script.extend([503, 503, 503])  # the webhook is down for three ticks
        _issue(app_db, db_url, instance, 1, {"baclaran": 35.0})  # Red hour in the forecast
        _issue(app_db, db_url, instance, 2, {"baclaran": 35.0, "tambo": 9.0})  # Tambo: Yellow
        for _ in range(3):
            text = _tick(instance, resources)
            # The outage is visible in the tick: count, age and the last error.
            assert "2 undelivered" in text and "last error: alert webhook failed" in text
            assert "HTTP 503" in text
        assert receiver.delivered == [] and len(receiver.received) == 3
        text = _tick(instance, resources)  # the webhook is back
        assert "delivered 2" in text and "0 undelivered" in text
        assert _slugs(receiver.delivered) == [("baclaran", "Critical"), ("tambo", "Alert")]
        baclaran = receiver.delivered[0]
        assert any("PAGASA Red rule" in r for r in baclaran["reasons"])
        assert baclaran["model_version"] is None and baclaran["valid_for"] == "2024-08-10"
        assert set(baclaran) >= {"probability", "issued_at", "risk_level"}

        _issue(app_db, db_url, instance, 3, {"baclaran": 35.0, "tambo": 9.0})  # repeats
        _tick(instance, resources)
        assert len(receiver.delivered) == 2 and len(receiver.received) == 5  # exactly once
    sql = "SELECT attempts, last_error, delivered_at IS NOT NULL FROM alert_outbox ORDER BY id"
    stored = query(app_db, sql)
    assert [(a, e is not None, d) for a, e, d in stored] == [(4, True, True), (1, False, True)]


def test_alert_episode_shorter_than_a_tick_is_delivered_and_reruns_add_nothing(app_db, db_url):
    seed_locations(app_db)
    instance = dg.DagsterInstance.ephemeral()
    with WebhookReceiver() as receiver:
        resources = _sender(db_url, receiver.url)
        _issue(app_db, db_url, instance, 0, {})
        _issue(app_db, db_url, instance, 1, {"vitalez": 40.0})  # Safe -> Critical ...
        _issue(app_db, db_url, instance, 1, {"vitalez": 40.0})  # (a re-run of that hour)
        _issue(app_db, db_url, instance, 2, {})  # ... -> Safe, all before the sender's tick
        assert query(app_db, "SELECT count(*) FROM alert_outbox") == [(1,)]
        _tick(instance, resources)
        assert _slugs(receiver.received) == [("vitalez", "Critical")]
        _issue(app_db, db_url, instance, 1, {"vitalez": 40.0})  # re-run after delivery
        _tick(instance, resources)
        assert len(receiver.received) == 1
    assert query(app_db, "SELECT count(DISTINCT issued_at) FROM flood_predictions") == [(3,)]


def _refused_url() -> str:
    """A loopback port with nothing listening: connections are refused (the webhook is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/alerts"


def test_failed_run_is_reported_after_an_outage(app_db, db_url):
    instance = dg.DagsterInstance.ephemeral()

    @dg.op
    def broken() -> None:
        raise RuntimeError("boom")

    @dg.job
    def failing_job() -> None:
        broken()

    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    database = {"database": DatabaseResource(database_url=db_url)}
    cursor = None
    for _ in range(2):  # evaluated twice (the same cursor again, as after a failed tick): once
        with dg.build_sensor_context(instance=instance, resources=database) as context:
            tick = run_failure_alert_sensor(context)
        cursor = cursor or tick.cursor
    assert cursor is not None
    down = _sender(db_url, _refused_url())
    for _ in range(3):
        assert "1 undelivered" in _tick(instance, down)
    assert "ConnectionError" in query(app_db, "SELECT last_error FROM alert_outbox")[0][0]
    with WebhookReceiver() as receiver:
        up = _sender(db_url, receiver.url)
        _tick(instance, up)
        _tick(instance, up)
        [payload] = receiver.received
    assert payload["kind"] == "run_failure" and payload["run_id"] == result.run_id
    assert payload["job"] == "failing_job" and "broken" in payload["error"]
    [step] = payload["failed_steps"]
    assert step["step"] == "broken" and "RuntimeError: boom" in step["error"]
