"""Model bench: features + training on 10 years x 16 locations, and one flood_risk pass.

    python -m bench.model [--years 10]

Stand-in weather (the fake Open-Meteo's deterministic weather model) is written straight into
weather_data with the bulk upsert; the labels are the real PAGASA and CDRRMO files from
../shared/data, stored with the same code the label assets use. Timed: flood_features +
flood_model (train_s) and one flood_risk run for every location (predict_ms_per_location).
"""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
from sqlalchemy import text

from bench.common import scratch_database, stopwatch
from floodingnaque_pipeline.db.labels import store_flood_file, store_station_file
from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.models import WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.upsert import upsert_rows
from floodingnaque_pipeline.db.weather import WEATHER_COLUMNS
from floodingnaque_pipeline.defs.ml.features import flood_features
from floodingnaque_pipeline.defs.ml.model import flood_model
from floodingnaque_pipeline.defs.ml.risk import flood_risk
from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.pagasa import parse_pagasa_csv
from floodingnaque_pipeline_tests.fakes.weather_model import generate

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
END = datetime(2025, 1, 1, tzinfo=UTC)


def write_weather(database: AppDatabase, years: int) -> int:
    with database.session() as session:
        sync_locations(session, load_default_locations())
        locations = session.execute(text("SELECT id, latitude, longitude FROM locations")).all()
    first = np.datetime64(END.replace(year=END.year - years).replace(tzinfo=None), "h")
    hours = first + np.arange((np.datetime64(END.replace(tzinfo=None), "h") - first).astype(int))
    ends = [h.replace(tzinfo=UTC) + timedelta(hours=1) for h in hours.astype(datetime).tolist()]
    total = 0
    for location_id, lat, lon in locations:  # one transaction per location keeps memory flat
        v = generate(lat, lon, hours)
        columns = [
            v["temperature_2m"],
            v["relative_humidity_2m"].astype(float),
            v["precipitation"],
            v["surface_pressure"],
            v["wind_speed_10m"],
        ]
        rows = [
            (location_id, "open_meteo_era5", end, *vals, None)
            for end, *vals in zip(ends, *(c.tolist() for c in columns), strict=True)
        ]
        with database.session() as session:
            upsert_rows(session.connection(), WeatherData.__table__, WEATHER_COLUMNS, rows)
        total += len(rows)
    return total


def write_labels(database: AppDatabase) -> None:
    with database.session() as session:
        for path in sorted((SHARED / "pagasa").glob("*_daily.csv")):
            name = f"pagasa/{path.name}"
            store_station_file(session, name, "-", parse_pagasa_csv(path.read_bytes(), name), None)
        for path in sorted((SHARED / "flood_records").glob("flood_records_*.csv")):
            name = f"flood_records/{path.name}"
            store_flood_file(session, name, "-", parse_cdrrmo_csv(path.read_bytes(), name), None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("dagster").setLevel(logging.WARNING)
    timings: dict[str, float] = {}
    with scratch_database("bench_model") as url:
        database = AppDatabase(url)
        database.migrate()
        with stopwatch("write stand-in weather", timings):
            hours = write_weather(database, args.years)
        write_labels(database)
        print(f"  weather_data: {hours:,} location-hours ({args.years} years x 16 locations)")
        resources = {"database": DatabaseResource(database_url=url, auto_migrate=False)}
        instance = dg.DagsterInstance.ephemeral()
        with stopwatch("flood_features", timings):
            dg.materialize([flood_features], resources=resources, instance=instance)
        with stopwatch("flood_model", timings):
            # The real labels hold one covered year: the model is stored, not made current.
            dg.materialize(
                [flood_model], resources=resources, instance=instance, raise_on_error=False
            )
        as_of = {"ops": {"flood_risk": {"config": {"as_of": "2024-12-31T09:00:00+08:00"}}}}
        with stopwatch("flood_risk (16 locations)", timings):
            dg.materialize([flood_risk], resources=resources, instance=instance, run_config=as_of)
        with database.session() as session:
            rows = session.execute(text("SELECT count(*) FROM flood_features")).scalar_one()
            model = session.execute(
                text("SELECT version, evaluation_scheme, not_current_reason FROM model_versions")
            ).one()
        database.dispose()
    print(f"  flood_features rows: {rows:,}; model {model[0]} ({model[1]}): {model[2]}")
    train_s = timings["flood_features"] + timings["flood_model"]
    predict_ms = timings["flood_risk (16 locations)"] * 1000 / 16
    print(f"RESULT train_s={train_s:.2f} predict_ms_per_location={predict_ms:.1f} rows={rows}")


if __name__ == "__main__":
    main()
