"""`owm_raw`: OpenWeatherMap current weather, when a key is configured."""

import dagster as dg

from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.weather import coordinates, upsert_weather
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.partitions import utc_now
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.openweathermap import OpenWeatherMapResource
from floodingnaque_pipeline.sources.http_client import mask_params, masked_url
from floodingnaque_pipeline.sources.openweathermap import build_owm_params, parse_owm_current

OWM_SOURCE = "openweathermap"


@dg.asset(
    key="owm_raw",
    deps=["locations"],
    output_required=False,
    group_name=INGESTION,
    kinds={"api", DATABASE},
    owners=[OWNER],
    description=(
        "Optional: OpenWeatherMap current weather per location (units=metric, missing rain.1h = "
        "0 mm), stored as raw pulls and normalized into weather_data with source "
        "'openweathermap'. Skipped, not failed, when OPENWEATHERMAP_API_KEY is unset."
    ),
)
def owm_raw(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    openweathermap: OpenWeatherMapResource,
):
    if not openweathermap.enabled:
        context.log.warning("OPENWEATHERMAP_API_KEY is not set: owm_raw skipped (optional source)")
        return
    with database.session() as session:
        coords = coordinates(session)
    fetched = []
    with openweathermap.new_client() as client:
        for coord in coords:
            params = build_owm_params(coord.latitude, coord.longitude, openweathermap.api_key or "")
            payload, size = client.get_json(openweathermap.url, params)
            fetched.append(
                (coord, params, payload, size, parse_owm_current(payload, coord.location_id))
            )
    rows = []
    with database.session() as session:  # all locations of this pull in one transaction
        for coord, params, payload, size, record in fetched:
            pull_id = store_pull(
                session,
                source=OWM_SOURCE,
                endpoint=masked_url(openweathermap.url, {}),  # a key in the URL stays out
                masked_params=mask_params(params),
                location_ids=[coord.location_id],
                window_start=record.observed_at,
                window_end=record.observed_at,
                fetched_at=utc_now(),
                payload=payload,
                payload_bytes=size,
                run_id=context.run.run_id,
                key_extra=record.observed_at.isoformat(),
            )
            rows.append(
                (
                    record.location_id,
                    OWM_SOURCE,
                    record.observed_at,
                    record.temperature_c,
                    record.relative_humidity_pct,
                    record.precipitation_mm,
                    record.pressure_hpa,
                    record.wind_speed_kmh,
                    pull_id,
                )
            )
        counts = upsert_weather(session, rows)
    yield dg.MaterializeResult(
        metadata={
            "locations": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "updated": dg.MetadataValue.int(counts.updated),
        }
    )
