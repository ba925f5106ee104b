"""`weather_data`: the normalized hourly table, rebuilt from raw pulls (never the API)."""

from datetime import timedelta

import dagster as dg

from floodingnaque_pipeline.db.archive import archived_pull_ids, default_archive_dir
from floodingnaque_pipeline.db.upsert import UpsertCounts
from floodingnaque_pipeline.db.weather import (
    OVERLAP,
    ParsedPulls,
    observed_rows,
    upsert_weather,
)
from floodingnaque_pipeline.db.weather_quality import (
    WindowQuality,
    measure_window,
    preview_markdown,
)
from floodingnaque_pipeline.defs.constants import OWNER, WAREHOUSE
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.weather.checks import CHECKS, check_results
from floodingnaque_pipeline.defs.weather.config import IngestConfig
from floodingnaque_pipeline.defs.weather.partitions import partition_windows, weather_monthly
from floodingnaque_pipeline.domain.ingest_window import plan_month_rebuild, plan_quality_window
from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.domain.progress import Progress
from floodingnaque_pipeline.domain.weather_thresholds import RECENT_SPAN
from floodingnaque_pipeline.resources.database import DatabaseResource


@dg.asset(
    key="weather_data",
    deps=["open_meteo_raw"],
    partitions_def=weather_monthly,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=CHECKS,
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=6), warn_window=timedelta(hours=2)
    ),
    group_name=WAREHOUSE,
    kinds={DATABASE},
    owners=[OWNER],
    description=(
        "Normalized hourly weather per location and source (open_meteo_era5, "
        "open_meteo_forecast). observed_at is the END of the hour that precipitation sums, in "
        "UTC. Rebuilt from raw_weather_pulls alone; re-running a month changes nothing."
    ),
)
def weather_data(
    context: dg.AssetExecutionContext, config: IngestConfig, database: DatabaseResource
):
    now = config.now()
    totals = UpsertCounts()
    windows = partition_windows(context)
    parsed = ParsedPulls()  # a pull spanning several months is parsed once
    progress = Progress("weather_data", len(windows), context.log.info, unit="month")
    for window in windows:
        month = plan_month_rebuild(window.start, window.end, now, overlap=OVERLAP)
        if month is None:
            progress.done(what=f"{window.start:%Y-%m}: nothing to rebuild", skipped=True)
            continue
        with database.session() as session:  # one transaction per month
            rows = observed_rows(
                session, month.start, month.end, overlap=month.overlap, parsed=parsed
            )
            counts = upsert_weather(session, rows)
        totals += counts
        progress.done(
            counts.inserted + counts.updated + counts.unchanged,
            f"{window.start:%Y-%m}: {counts.inserted:,} new, {counts.updated:,} changed, "
            f"{counts.unchanged:,} unchanged",
        )
    whole = context.partition_time_window
    measured = plan_quality_window(whole.start, whole.end, now, recent_span=RECENT_SPAN)
    with database.session() as session:
        quality = measure_window(
            session,
            measured.start,
            measured.end,
            recent_start=measured.recent_start,
            archived_pull_ids=archived_pull_ids(default_archive_dir()),
        )
        preview = preview_markdown(session, measured.start, measured.end)
    yield dg.MaterializeResult(
        metadata={
            "inserted": dg.MetadataValue.int(totals.inserted),
            "updated": dg.MetadataValue.int(totals.updated),
            "unchanged": dg.MetadataValue.int(totals.unchanged),
            "expected_hours_per_location": dg.MetadataValue.int(quality.expected_hours),
            "coverage": dg.MetadataValue.md(_coverage_table(quality)),
            "preview": dg.MetadataValue.md(preview),
        }
    )
    yield from check_results(quality, measured.current, now)


def _coverage_table(quality: WindowQuality) -> str:
    rows = [(slug, f"{share:.1%}") for slug, share in sorted(quality.coverage.items())]
    return markdown_table(["location", "hourly coverage"], rows)
