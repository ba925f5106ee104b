"""Helpers for the model tests: real label files into a database, ML assets run in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import numpy as np

from floodingnaque_pipeline.db.models import WeatherData, WeatherForecast
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import FORECAST_COLUMNS, WEATHER_COLUMNS
from floodingnaque_pipeline.defs.ml.features import flood_features
from floodingnaque_pipeline.defs.ml.model import flood_model
from floodingnaque_pipeline.defs.ml.risk import flood_risk
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline_tests.fakes.weather_model import generate
from floodingnaque_pipeline_tests.labels_support import drop, ingest, query
from floodingnaque_pipeline_tests.weather_rows import seed_locations

PAGASA_FILES = ("naia_daily.csv", "port_area_daily.csv", "science_garden_daily.csv")


def load_real_labels(
    database: AppDatabase,
    db_url: str,
    shared_data: Path,
    landing: Path,
    instance: dg.DagsterInstance,
    flood_files: tuple[str, ...] = ("flood_records_2022.csv", "flood_records_2023.csv"),
) -> None:
    """Locations, the three PAGASA files and the CDRRMO files through the real label assets."""
    seed_locations(database)
    for name in PAGASA_FILES:
        drop(landing, f"pagasa/{name}", shared_data / "pagasa" / name)
        ingest(f"pagasa/{name}", db_url, landing, instance)
    for name in flood_files:
        drop(landing, f"flood_records/{name}", shared_data / "flood_records" / name)
        ingest(f"flood_records/{name}", db_url, landing, instance)


def run_ml(
    assets: list,
    db_url: str,
    instance: dg.DagsterInstance | None = None,
    run_config: dict[str, Any] | None = None,
    raise_on_error: bool = True,
    webhook: str | None = None,
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        assets,
        resources={
            "database": DatabaseResource(database_url=db_url),
            "alert_webhook": AlertWebhookResource(url=webhook, backoff_s=0.01),
        },
        instance=instance,
        run_config=run_config or {},
        raise_on_error=raise_on_error,
    )


ML_ASSETS = {"features": flood_features, "model": flood_model, "risk": flood_risk}


def materialization_metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, Any]:
    (event,) = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in event.metadata.items()}


def write_stand_in_weather(
    database: AppDatabase, now: datetime, *, dry: bool, days_back: int = 10
) -> None:
    """Stand-in weather (the fake Open-Meteo's model) observed for `days_back` days up to `now`
    and forecast for the 2 days after it, as the weather assets would store it."""
    locations = query(database, "SELECT id, latitude, longitude FROM locations ORDER BY id")
    first = np.datetime64(now.replace(tzinfo=None), "h") - np.timedelta64(24 * days_back, "h")
    hours = first + np.arange(24 * days_back + 48).astype("timedelta64[h]")
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


def first_red_hour_end(lat: float, lon: float) -> datetime:
    hours = np.datetime64("2024-07-01T00", "h") + np.arange(31 * 24).astype("timedelta64[h]")
    rain = generate(lat, lon, hours)["precipitation"]
    index = int(np.argmax(rain >= 30.0))
    assert rain[index] >= 30.0, "the stand-in has torrential hours in July"
    return hours[index].astype(datetime).replace(tzinfo=UTC) + timedelta(hours=1)  # hour end
