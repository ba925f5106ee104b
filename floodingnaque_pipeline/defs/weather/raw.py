"""`open_meteo_raw`: every Open-Meteo response for the partition window, stored verbatim."""

from datetime import timedelta

import dagster as dg

from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.weather import coordinates, newest_complete_hour
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.partitions import (
    OPEN_METEO_POOL,
    IngestConfig,
    utc_now,
    weather_monthly,
)
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import mask_params
from floodingnaque_pipeline.sources.open_meteo import (
    build_request_params,
    parse_columns,
    request_weight,
)
from floodingnaque_pipeline.sources.open_meteo_plan import plan_pulls

# The current month is fetched from the newest stored hour minus this, not from its start.
INCREMENTAL_OVERLAP = timedelta(hours=3)


@dg.asset(
    key="open_meteo_raw",
    deps=["locations"],
    partitions_def=weather_monthly,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=OPEN_METEO_POOL,
    group_name=INGESTION,
    kinds={"api", DATABASE},
    owners=[OWNER],
    description=(
        "Open-Meteo hourly weather for every active location, as received: ERA5 archive for "
        "days older than 5 days, the forecast API for recent days and the next 2. One row per "
        "HTTP pull in raw_weather_pulls. The current month is fetched incrementally."
    ),
)
def open_meteo_raw(
    context: dg.AssetExecutionContext,
    config: IngestConfig,
    database: DatabaseResource,
    open_meteo: OpenMeteoResource,
) -> dg.MaterializeResult:
    window = context.partition_time_window
    now = config.now()
    with database.session() as session:
        coords = coordinates(session)
        fetch_from = None
        if len(context.partition_keys) == 1 and window.end > now:
            newest = newest_complete_hour(session, [c.location_id for c in coords])
            if newest is not None:
                # Bounded: after a long outage the archive partitions fill the rest.
                fetch_from = max(newest - INCREMENTAL_OVERLAP, window.start - timedelta(days=7))
    if not coords:
        raise dg.Failure("no active locations: materialize the `locations` asset first")
    plan = plan_pulls(
        window.start,
        window.end,
        now,
        coords,
        fetch_from=fetch_from,
        chunk_days=open_meteo.chunk_days,
        max_locations=open_meteo.max_locations_per_request,
    )
    client = open_meteo.client
    calls_before, bytes_before, retries_before = (
        client.weighted_calls,
        client.bytes_received,
        client.retries,
    )
    hours = 0
    context.log.info(
        f"{len(plan)} requests for {len(coords)} locations, {window.start:%Y-%m-%d} .. "
        f"{window.end:%Y-%m-%d}"
        + (f" (incremental from {fetch_from:%Y-%m-%d %H:%M}Z)" if fetch_from else "")
    )
    for number, pull in enumerate(plan, start=1):
        url = open_meteo.url_for(pull.source)
        params = build_request_params(pull.coords, pull.start, pull.end)
        payload, size = client.get_json(
            url, params, cost=request_weight(pull.coords, pull.start, pull.end)
        )
        # Validated before anything is stored: a malformed response writes nothing.
        hours += sum(len(s) for s in parse_columns(payload, pull.coords))
        with database.session() as session:
            store_pull(
                session,
                source=pull.source,
                endpoint=url,
                masked_params=mask_params(params),
                location_ids=[c.location_id for c in pull.coords],
                window_start=pull.first_hour_end,
                window_end=pull.last_hour_end,
                fetched_at=utc_now(),
                payload=payload,
                payload_bytes=size,
                run_id=context.run.run_id,
            )
        context.log.info(
            f"chunk {number} of {len(plan)}: {pull.source} {pull.start} .. {pull.end}, "
            f"{len(pull.coords)} locations, {size / 1e6:.1f} MB, {hours:,} location-hours so far"
        )
    return dg.MaterializeResult(
        metadata={
            "pulls": dg.MetadataValue.int(len(plan)),
            "bytes": dg.MetadataValue.int(client.bytes_received - bytes_before),
            "location_hours": dg.MetadataValue.int(hours),
            "api_calls": dg.MetadataValue.float(round(client.weighted_calls - calls_before, 2)),
            "retries": dg.MetadataValue.int(client.retries - retries_before),
            "window": dg.MetadataValue.text(
                f"{window.start.isoformat()} .. {window.end.isoformat()}"
            ),
            "incremental_from": dg.MetadataValue.text(
                fetch_from.isoformat() if fetch_from else "-"
            ),
        }
    )
