"""`weather_forecast`: the future hours of the newest forecast pull per location."""

import dagster as dg

from floodingnaque_pipeline.db.weather import latest_forecast_rows, replace_forecast
from floodingnaque_pipeline.defs.constants import OWNER, WAREHOUSE
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.config import IngestConfig
from floodingnaque_pipeline.resources.database import DatabaseResource


@dg.asset(
    key="weather_forecast",
    deps=["open_meteo_raw"],
    group_name=WAREHOUSE,
    kinds={DATABASE},
    owners=[OWNER],
    description=(
        "Latest Open-Meteo forecast per (location, source, valid hour) with its issue time; "
        "hours that have passed are removed. Built from raw_weather_pulls."
    ),
)
def weather_forecast(
    context: dg.AssetExecutionContext, config: IngestConfig, database: DatabaseResource
) -> dg.MaterializeResult:
    now = config.now()
    with database.session() as session:
        rows = latest_forecast_rows(session, now)
        counts = replace_forecast(session, rows, now)
    horizon = max((r.valid_at for r in rows), default=None)
    wettest = max((r.precipitation_mm or 0.0 for r in rows), default=0.0)
    context.log.info(f"{len(rows)} forecast hours, up to {horizon}")
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "updated": dg.MetadataValue.int(counts.updated),
            "horizon": dg.MetadataValue.text(str(horizon)),
            "max_hourly_rain_mm": dg.MetadataValue.float(float(wettest)),
        }
    )
