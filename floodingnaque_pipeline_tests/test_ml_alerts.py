"""flood_alert_sensor against a loopback webhook: once per transition, retried, never repeated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
from sqlalchemy import delete

from floodingnaque_pipeline.db.models import WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import FORECAST_COLUMNS
from floodingnaque_pipeline.defs.ml.sensors import flood_alert_sensor, run_failure_alert_sensor
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


def test_one_post_per_transition_retried_never_repeated(app_db: AppDatabase, db_url: str):
    seed_locations(app_db)
    instance = dg.DagsterInstance.ephemeral()
    cursor: list[str | None] = [None]

    def issue(hour: int, wet: dict[str, float]) -> None:
        now = START + timedelta(hours=hour)
        _forecast(app_db, now, wet)
        as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
        run_ml([ML_ASSETS["risk"]], db_url, instance, run_config=as_of)

    with WebhookReceiver() as receiver:
        resources = {
            "database": DatabaseResource(database_url=db_url),
            "alert_webhook": AlertWebhookResource(url=receiver.url, attempts=2, backoff_s=0.01),
        }

        def tick() -> None:
            with dg.build_sensor_context(
                instance=instance, cursor=cursor[0], resources=resources
            ) as context:
                flood_alert_sensor(context)
                cursor[0] = context.cursor

        tick()  # nothing materialized yet
        issue(0, {})
        tick()
        assert receiver.received == []  # all Safe: no transition

        issue(1, {"baclaran": 35.0})  # Red hour in the forecast
        tick()
        [alert] = receiver.delivered
        assert (alert["location"]["slug"], alert["level"]) == ("baclaran", "Critical")
        assert any("PAGASA Red rule" in r for r in alert["reasons"])
        assert alert["model_version"] is None and alert["valid_for"] == "2024-08-10"
        assert set(alert) >= {"probability", "issued_at", "risk_level"}

        issue(2, {"baclaran": 35.0})  # same level again
        tick()
        tick()
        assert len(receiver.received) == 1  # no repeats

        receiver.script.extend([500])  # one 500: retried within the tick
        issue(3, {"baclaran": 35.0, "tambo": 9.0})  # Tambo enters Alert (Yellow)
        tick()
        assert [a["location"]["slug"] for a in receiver.received[1:]] == ["tambo", "tambo"]
        assert receiver.delivered[-1]["level"] == "Alert"

        receiver.script.extend([500, 503])  # both attempts fail: the transition stays pending
        issue(4, {"baclaran": 35.0, "tambo": 9.0, "vitalez": 40.0})
        tick()
        assert receiver.delivered[-1]["location"]["slug"] == "tambo"
        tick()  # next tick: delivered (at least once)
        assert receiver.delivered[-1]["location"]["slug"] == "vitalez"
        tick()
        assert len(receiver.delivered) == 3 and len(receiver.received) == 6

        issue(5, {})  # everything calms down, then Baclaran floods again: a new transition
        issue(6, {"baclaran": 35.0})
        tick()
        assert len(receiver.delivered) == 3  # the sensor only sees the newest issue
        assert query(app_db, "SELECT count(DISTINCT issued_at) FROM flood_predictions") == [(7,)]


def test_run_failure_sensor_posts_the_failed_run():
    instance = dg.DagsterInstance.ephemeral()

    @dg.op
    def broken() -> None:
        raise RuntimeError("boom")

    @dg.job
    def failing_job() -> None:
        broken()

    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    with WebhookReceiver() as receiver:
        resources = {"alert_webhook": AlertWebhookResource(url=receiver.url, backoff_s=0.01)}
        failure = result.get_run_failure_event()
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert_sensor",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure,
            resources=resources,
        ).for_run_failure()
        run_failure_alert_sensor(context)
        [payload] = receiver.delivered
        assert payload["kind"] == "run_failure" and payload["run_id"] == result.run_id
        assert payload["job"] == "failing_job"
