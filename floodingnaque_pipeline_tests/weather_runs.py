"""Helpers to run the weather assets in-process with real resources against the stand-in."""

from datetime import datetime

import dagster as dg

from floodingnaque_pipeline.db.models import RawWeatherPull, WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.defs.locations import locations
from floodingnaque_pipeline.defs.weather.forecast import weather_forecast
from floodingnaque_pipeline.defs.weather.normalized import weather_data
from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

WEATHER_ASSETS = [open_meteo_raw, weather_data, weather_forecast]


def resources(db_url: str, fake: FakeOpenMeteo, **open_meteo: object) -> dict:
    settings = {"backoff_base_s": 0.05, "max_attempts": 3, "read_timeout_s": 5.0} | open_meteo
    return {
        "database": DatabaseResource(database_url=db_url),
        "open_meteo": OpenMeteoResource(
            forecast_url=fake.forecast_url, archive_url=fake.archive_url, **settings
        ),
    }


def seed(db_url: str, fake: FakeOpenMeteo) -> None:
    assert dg.materialize([locations], resources=resources(db_url, fake)).success


def as_of_config(as_of: datetime | None, assets: list) -> dict:
    if as_of is None:
        return {}
    return {"ops": {a.op.name: {"config": {"as_of": as_of.isoformat()}} for a in assets}}


def run_partition(
    db_url: str,
    fake: FakeOpenMeteo,
    partition_key: str,
    *,
    assets: list | None = None,
    as_of: datetime | None = None,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
    **open_meteo: object,
) -> dg.ExecuteInProcessResult:
    assets = assets or [open_meteo_raw, weather_data]
    return dg.materialize(
        assets,
        partition_key=partition_key,
        resources=resources(db_url, fake, **open_meteo),
        run_config=as_of_config(as_of, assets),
        raise_on_error=raise_on_error,
        instance=instance,
    )


def weather_snapshot(db_url: str) -> list[tuple]:
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            t = WeatherData.__table__
            return [tuple(r) for r in session.execute(t.select().order_by(*t.primary_key))]
    finally:
        database.dispose()


def pulls_snapshot(db_url: str) -> list[tuple]:
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            t = RawWeatherPull.__table__
            cols = [c for c in t.c if c.name != "payload"]
            return [tuple(r) for r in session.execute(t.select().with_only_columns(*cols))]
    finally:
        database.dispose()
