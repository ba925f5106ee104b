"""owm_raw: optional source; skipped without a key, masked key everywhere with one."""

import logging

import dagster as dg
import pytest
from sqlalchemy import select

from floodingnaque_pipeline.db.models import RawWeatherPull, WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.weather.owm import owm_raw
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.openweathermap import OpenWeatherMapResource
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import seed

KEY = "test-owm-key"


def _run(db_url: str, fake: FakeOpenMeteo, key: str | None, instance: dg.DagsterInstance):
    return dg.materialize(
        [owm_raw],
        resources={
            "database": DatabaseResource(database_url=db_url),
            "openweathermap": OpenWeatherMapResource(
                api_key=key, url=fake.owm_url, max_attempts=2, backoff_base_s=0.01
            ),
        },
        instance=instance,
        raise_on_error=False,
    )


def test_without_key_the_asset_is_skipped_not_failed(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    with dg.instance_for_test() as instance:
        result = _run(sqlite_url, fake_open_meteo, None, instance)
        assert result.success
        assert result.asset_materializations_for_node("owm_raw") == []
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
        assert any("OPENWEATHERMAP_API_KEY is not set" in m for m in messages)
    assert fake_open_meteo.request_count == 0


def test_with_key_rows_land_and_the_key_is_masked(
    db_url: str, fake_open_meteo: FakeOpenMeteo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(db_url, fake_open_meteo)
    with dg.instance_for_test() as instance:
        result = _run(db_url, fake_open_meteo, KEY, instance)
        assert result.success
        logs = " ".join(e.user_message for e in instance.all_logs(result.run_id))
    assert KEY not in logs + caplog.text
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            rows = session.scalars(
                select(WeatherData).where(WeatherData.source == "openweathermap")
            ).all()
            assert len(rows) == 16
            assert all(r.observed_at.minute == 0 and r.raw_pull_id for r in rows)
            assert all(r.precipitation_mm is not None for r in rows)  # missing rain.1h = 0 mm
            pulls = session.scalars(select(RawWeatherPull)).all()
            assert len(pulls) == 16
            assert {p.request_params["appid"] for p in pulls} == {"***"}
            assert all(KEY not in str(p.request_params) + p.endpoint for p in pulls)
    finally:
        database.dispose()


def test_wrong_key_fails_without_echoing_it(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    with dg.instance_for_test() as instance:
        result = _run(sqlite_url, fake_open_meteo, "wrong-secret-key", instance)
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        text = str(failure.event_specific_data.error.to_string())
        assert "401" in text
        assert "wrong-secret-key" not in text
