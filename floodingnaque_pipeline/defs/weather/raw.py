"""`open_meteo_raw`: every Open-Meteo response for the partition window, stored verbatim."""

import dagster as dg

from floodingnaque_pipeline.db.raw_pulls import pull_key, pull_keys_stored_by, store_pull
from floodingnaque_pipeline.db.weather import coordinates, newest_complete_hour
from floodingnaque_pipeline.defs.constants import INGESTION, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.config import IngestConfig, utc_now
from floodingnaque_pipeline.defs.weather.partitions import OPEN_METEO_POOL, weather_monthly
from floodingnaque_pipeline.defs.weather.schedules import ingest_cron
from floodingnaque_pipeline.domain.ingest_window import fetch_in_progress, plan_fetch
from floodingnaque_pipeline.domain.progress import Progress
from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import mask_params
from floodingnaque_pipeline.sources.open_meteo import (
    build_request_params,
    parse_columns,
    request_weight,
)
from floodingnaque_pipeline.sources.open_meteo_plan import FORECAST, PlannedPull, plan_pulls


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
        "HTTP pull in raw_weather_pulls. The current month is fetched incrementally. A "
        "re-execution reuses the archive pulls its run group already stored. All HTTP of a "
        "step shares one time budget (the month in progress: half the schedule interval)."
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
    in_progress = fetch_in_progress(len(context.partition_keys), window.end, now)
    with database.session() as session:
        coords = coordinates(session)
        # Only the month in progress is fetched incrementally: no need to ask otherwise.
        newest = (
            newest_complete_hour(session, [c.location_id for c in coords]) if in_progress else None
        )
    fetch = plan_fetch(
        window.start, window.end, in_progress=in_progress, newest_complete_hour=newest
    )
    if not coords:
        raise dg.Failure("no active locations: materialize the `locations` asset first")
    plan = plan_pulls(
        window.start,
        window.end,
        now,
        coords,
        fetch_from=fetch.fetch_from,
        chunk_days=open_meteo.chunk_days,
        max_locations=open_meteo.max_locations_per_request,
    )
    # Resuming: archive chunks this run's group (the original run and its re-executions)
    # already stored are not fetched again. Forecast chunks change every hour: always fetched.
    requests = [(pull, build_request_params(pull.coords, pull.start, pull.end)) for pull in plan]
    keys = [
        pull_key(p.source, open_meteo.endpoint_for(p.source), mask_params(q)) for p, q in requests
    ]
    with database.session() as session:
        reusable = pull_keys_stored_by(session, keys, _run_group(context))
    client = open_meteo.client
    budget = open_meteo.step_budget(
        in_progress=fetch.in_progress, cron=ingest_cron(), timezone=MANILA_TZ_NAME
    )
    calls_before, bytes_before, retries_before = (
        client.weighted_calls,
        client.bytes_received,
        client.retries,
    )
    context.log.info(
        f"{len(plan)} requests for {len(coords)} locations, {window.start:%Y-%m-%d} .. "
        f"{window.end:%Y-%m-%d}"
        + (f" (incremental from {fetch.fetch_from:%Y-%m-%d %H:%M}Z)" if fetch.fetch_from else "")
        + f"; {budget.describe()}"
    )
    client.step_budget = budget
    try:
        hours, reused = _fetch(context, database, open_meteo, requests, keys, reusable)
    finally:
        client.step_budget = None
    return dg.MaterializeResult(
        metadata={
            "pulls": dg.MetadataValue.int(len(plan)),
            "reused_pulls": dg.MetadataValue.int(reused),
            "bytes": dg.MetadataValue.int(client.bytes_received - bytes_before),
            "location_hours": dg.MetadataValue.int(hours),
            "api_calls": dg.MetadataValue.float(round(client.weighted_calls - calls_before, 2)),
            "retries": dg.MetadataValue.int(client.retries - retries_before),
            "window": dg.MetadataValue.text(
                f"{window.start.isoformat()} .. {window.end.isoformat()}"
            ),
            "incremental_from": dg.MetadataValue.text(
                fetch.fetch_from.isoformat() if fetch.fetch_from else "-"
            ),
        }
    )


def _run_group(context: dg.AssetExecutionContext) -> list[str]:
    """Ids of this run, the runs it re-executes (parent chain) and, as far as Dagster's run-group
    tags tell, every other re-execution of the same original run."""
    instance, run = context.instance, context.run
    ids = {run.run_id}
    group = instance.get_run_group(run.run_id)
    if group is not None:
        ids.update(r.run_id for r in group[1])
    parent_id = run.parent_run_id
    while parent_id and parent_id not in ids:  # the chain holds even when tags were replaced
        ids.add(parent_id)
        parent = instance.get_run_by_id(parent_id)
        parent_id = parent.parent_run_id if parent else None
    return sorted(ids)


def _fetch(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    open_meteo: OpenMeteoResource,
    requests: list[tuple[PlannedPull, dict]],
    keys: list[str],
    reusable: set[str],
) -> tuple[int, int]:
    """Fetches and stores each planned request in turn; (location-hours, pulls reused)."""
    hours, reused, total = 0, 0, len(requests)
    progress = Progress("open_meteo_raw", total, context.log.info)
    for (pull, params), key in zip(requests, keys, strict=True):
        if key in reusable and pull.source != FORECAST:
            reused += 1
            progress.done(what="already stored by this run group", skipped=True)
            continue
        payload, body = open_meteo.client.get_json_body(
            open_meteo.url_for(pull.source),
            params,
            cost=request_weight(pull.coords, pull.start, pull.end),
        )
        # Validated before anything is stored: a malformed response writes nothing.
        chunk_hours = sum(len(s) for s in parse_columns(payload, pull.coords))
        hours += chunk_hours
        with database.session() as session:
            store_pull(
                session,
                source=pull.source,
                endpoint=open_meteo.endpoint_for(pull.source),
                masked_params=mask_params(params),
                location_ids=[c.location_id for c in pull.coords],
                window_start=pull.first_hour_end,
                window_end=pull.last_hour_end,
                fetched_at=utc_now(),
                payload=payload,
                payload_bytes=len(body),
                run_id=context.run.run_id,
                body=body.decode(),
            )
        progress.done(
            chunk_hours,
            f"{pull.source} {pull.start} .. {pull.end}, {len(pull.coords)} locations, "
            f"{len(body) / 1e6:.1f} MB",
        )
    return hours, reused
