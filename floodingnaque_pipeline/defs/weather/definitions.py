"""Everything of the weather domain, merged into the code location by definitions.py."""

import dagster as dg

from floodingnaque_pipeline.defs.weather.archived_forecasts import archived_forecast_raw
from floodingnaque_pipeline.defs.weather.ensemble import open_meteo_ensemble
from floodingnaque_pipeline.defs.weather.forecast import weather_forecast
from floodingnaque_pipeline.defs.weather.normalized import weather_data
from floodingnaque_pipeline.defs.weather.owm import owm_raw
from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.defs.weather.schedules import (
    hourly_ingestion_job,
    hourly_ingestion_schedule,
)
from floodingnaque_pipeline.resources.open_meteo import open_meteo_from_env
from floodingnaque_pipeline.resources.openweathermap import openweathermap_from_env

defs = dg.Definitions(
    assets=[
        open_meteo_raw,
        weather_data,
        weather_forecast,
        owm_raw,
        open_meteo_ensemble,
        archived_forecast_raw,
    ],
    jobs=[hourly_ingestion_job],
    schedules=[hourly_ingestion_schedule],
    resources={"open_meteo": open_meteo_from_env(), "openweathermap": openweathermap_from_env()},
)
