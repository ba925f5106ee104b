"""flood_risk on stand-in weather: a Red hour makes Critical; dry weather and no model is Safe."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np

from floodingnaque_pipeline.db.models import WeatherData, WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import FORECAST_COLUMNS, WEATHER_COLUMNS
from floodingnaque_pipeline.ml.risk import NO_MODEL
from floodingnaque_pipeline_tests.fakes.weather_model import generate
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import ML_ASSETS, materialization_metadata, run_ml
from floodingnaque_pipeline_tests.weather_rows import seed_locations


def _json(value: object) -> list[str]:
    return value if isinstance(value, list) else json.loads(str(value))  # SQLite: JSON text


def _write_weather(database: AppDatabase, now: datetime, *, dry: bool) -> None:
    """Stand-in weather (the fake Open-Meteo's model) observed for 10 days up to `now` and
    forecast for the 2 days after it, as the weather assets would store it."""
    locations = query(database, "SELECT id, latitude, longitude FROM locations ORDER BY id")
    first = np.datetime64(now.replace(tzinfo=None), "h") - np.timedelta64(240, "h")
    hours = first + np.arange(240 + 48).astype("timedelta64[h]")
    observed, forecast = [], []
    for location_id, lat, lon in locations:
        values = generate(lat, lon, hours)
        for i, hour in enumerate(hours.astype(datetime)):
            end = hour.replace(tzinfo=UTC) + timedelta(hours=1)
            rain = 0.0 if dry else float(values["precipitation"][i])
            vals = (
                float(values["temperature_2m"][i]),
                float(values["relative_humidity_2m"][i]),
                rain,
                float(values["surface_pressure"][i]),
                float(values["wind_speed_10m"][i]),
            )
            if end <= now:
                observed.append((location_id, "open_meteo_era5", end, *vals, None))
            else:
                forecast.append((location_id, "open_meteo_forecast", end, now, *vals, None))
    with database.session() as session:
        upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, observed)
        upsert_rows(session.connection(), WeatherForecast.__table__, FORECAST_COLUMNS, forecast)


def _first_red_hour(lat: float, lon: float) -> datetime:
    hours = np.datetime64("2024-07-01T00", "h") + np.arange(31 * 24).astype("timedelta64[h]")
    rain = generate(lat, lon, hours)["precipitation"]
    index = int(np.argmax(rain >= 30.0))
    assert rain[index] >= 30.0, "the stand-in has torrential hours in July"
    return hours[index].astype(datetime).replace(tzinfo=UTC) + timedelta(hours=1)  # hour end


def test_forecast_red_hour_gives_critical_with_that_reason(app_db: AppDatabase, db_url: str):
    seed_locations(app_db)
    [(location_id, lat, lon)] = query(
        app_db, "SELECT id, latitude, longitude FROM locations WHERE slug = 'baclaran'"
    )
    red_hour_end = _first_red_hour(lat, lon)
    now = red_hour_end - timedelta(hours=4, minutes=20)  # the Red hour is still a forecast
    _write_weather(app_db, now, dry=False)
    as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
    run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of)
    rows = query(
        app_db,
        "SELECT valid_for, risk_level, reasons, probability, model_version_id "
        "FROM flood_predictions WHERE location_id = :l",
        l=location_id,
    )
    critical = [r for r in rows if r[1] == 2]
    assert critical, rows
    reasons = _json(critical[0][2])
    assert any("PAGASA Red rule" in r and "forecast" in r for r in reasons), reasons
    assert NO_MODEL in reasons and critical[0][3] is None and critical[0][4] is None


def test_dry_weather_without_model_is_safe_by_rules_and_idempotent(app_db: AppDatabase, db_url):
    seed_locations(app_db)
    now = datetime(2024, 8, 10, 5, 30, tzinfo=UTC)
    _write_weather(app_db, now, dry=True)
    as_of = {"ops": {"flood_risk": {"config": {"as_of": now.isoformat()}}}}
    first = materialization_metadata(
        run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of), "flood_risk"
    )
    again = materialization_metadata(
        run_ml([ML_ASSETS["risk"]], db_url, run_config=as_of), "flood_risk"
    )
    assert (first["rows"], first["inserted"], again["inserted"]) == (32, 32, 0)
    assert first["model_version"] == "none (rules)"
    rows = query(
        app_db, "SELECT risk_level, reasons, horizon_days, valid_for FROM flood_predictions"
    )
    assert len(rows) == 32 and {r[0] for r in rows} == {0} and {r[2] for r in rows} == {0, 1}
    for _, reasons, _, _ in rows:
        assert NO_MODEL in _json(reasons)
        assert any("below PAGASA Yellow" in r for r in _json(reasons))
