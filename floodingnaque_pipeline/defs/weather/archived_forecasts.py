"""`archived_forecast_raw` (monthly, backfillable): Previous Runs API responses stored verbatim in
raw_weather_pulls and normalised into forecast_archive, one transaction per pull."""

from datetime import UTC

import dagster as dg

from floodingnaque_pipeline.db.forecast_store import (
    replace_archive,
)
from floodingnaque_pipeline.db.raw_pulls import store_pull
from floodingnaque_pipeline.db.weather import coordinates
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.config import utc_now
from floodingnaque_pipeline.defs.weather.partitions import OPEN_METEO_POOL
from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import mask_params
from floodingnaque_pipeline.sources.masking import masked_url
from floodingnaque_pipeline.sources.open_meteo_runs import (
    parse_previous_runs,
    previous_runs_params,
)
from floodingnaque_pipeline.sources.records import SourceParseError

PREVIOUS_RUNS_SOURCE = "open_meteo_previous_runs"
# Open-Meteo archives previous runs from January 2024 (most models).
forecast_archive_monthly = dg.MonthlyPartitionsDefinition(
    start_date="2024-01-01", timezone=MANILA_TZ_NAME, end_offset=1
)


@dg.asset(
    key="archived_forecast_raw",
    deps=["locations"],
    partitions_def=forecast_archive_monthly,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=OPEN_METEO_POOL,
    group_name=INGESTION,
    kinds={"api", DATABASE},
    owners=[OWNER],
    description=(
        "Archived forecasts for the backtest: Open-Meteo Previous Runs API (OPEN_METEO_"
        "PREVIOUS_RUNS_URL) hourly rain as forecast 1..7 days ahead, per month (Manila time) "
        "from January 2024. The response in raw_weather_pulls, the rows in forecast_archive "
        "(the month rewritten whole: a re-run leaves the same rows). A malformed response "
        "fails the partition and writes nothing."
    ),
)
def archived_forecast_raw(
    context: dg.AssetExecutionContext, database: DatabaseResource, open_meteo: OpenMeteoResource
) -> dg.MaterializeResult:
    with database.session() as session:
        coords = coordinates(session)
    if not coords:
        raise dg.Failure("no active locations: materialize the `locations` asset first")
    size = open_meteo.max_locations_per_request
    total = 0
    for key in context.partition_keys:
        window = forecast_archive_monthly.time_window_for_partition_key(key)
        start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
        for i in range(0, len(coords), size):
            chunk = coords[i : i + size]
            params = previous_runs_params(chunk, start.date(), end.date())
            days = (end.date() - start.date()).days + 1
            cost = len(chunk) * max(1.0, 0.7 * days / 14)  # 7 variables (sources/open_meteo.py)
            payload, body = open_meteo.client.get_json_body(
                open_meteo.previous_runs_url, params, cost=cost
            )
            try:
                rows = parse_previous_runs(payload, chunk)
            except SourceParseError as error:
                raise dg.Failure(
                    f"month {key}: Previous Runs response rejected, nothing stored: {error}. "
                    "Check OPEN_METEO_PREVIOUS_RUNS_URL points at the Previous Runs API."
                ) from error
            with database.session() as session:  # one transaction per pull
                pull_id = store_pull(
                    session,
                    source=PREVIOUS_RUNS_SOURCE,
                    endpoint=masked_url(open_meteo.previous_runs_url, {}),
                    masked_params=mask_params(params),
                    location_ids=[c.location_id for c in chunk],
                    window_start=start,
                    window_end=end,
                    fetched_at=utc_now(),
                    payload=payload,
                    payload_bytes=len(body),
                    run_id=context.run.run_id,
                    body=body.decode(),
                )
                ids = [c.location_id for c in chunk]
                total += replace_archive(session, rows, ids, (start, end), pull_id)
        context.log.info(f"month {key}: {total:,} archived forecast hours so far")
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(total),
            "months": dg.MetadataValue.int(len(context.partition_keys)),
            "issued_at_rule": dg.MetadataValue.text(
                "00:00 UTC of the valid hour's UTC day minus lead_day days (derived)"
            ),
        }
    )
