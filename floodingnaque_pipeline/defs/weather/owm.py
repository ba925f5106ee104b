"""`owm_raw`: OpenWeatherMap current weather, when a key is configured."""

import dagster as dg

from floodingnaque_pipeline.db.owm_rows import plan_owm_pull
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.weather import coordinates, upsert_weather
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.config import utc_now
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.openweathermap import OpenWeatherMapResource
from floodingnaque_pipeline.sources.openweathermap import build_owm_params, parse_owm_current


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
            # Parsed before anything is stored: one malformed reading writes nothing.
            record = parse_owm_current(payload, coord.location_id)
            fetched.append((plan_owm_pull(record, openweathermap.url, params), payload, size))
    rows = []
    with database.session() as session:  # all locations of this pull in one transaction
        for pull, payload, size in fetched:
            pull_id = store_pull(
                session,
                source=pull.source,
                endpoint=pull.endpoint,
                masked_params=pull.masked_params,
                location_ids=pull.location_ids,
                window_start=pull.window_start,
                window_end=pull.window_end,
                fetched_at=utc_now(),
                payload=payload,
                payload_bytes=size,
                run_id=context.run.run_id,
                key_extra=pull.key_extra,
            )
            rows.append(pull.weather_row(pull_id))
        counts = upsert_weather(session, rows)
    yield dg.MaterializeResult(
        metadata={
            "locations": dg.MetadataValue.int(len(rows)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "updated": dg.MetadataValue.int(counts.updated),
        }
    )
