"""The hourly ingestion schedule: refresh the month in progress, then the forecast."""

import os

import dagster as dg

from floodingnaque_pipeline.defs.weather.partitions import weather_monthly
from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME

DEFAULT_INGEST_CRON = "5 * * * *"  # minute 5: Open-Meteo's hourly model update has landed

hourly_ingestion_job = dg.define_asset_job(
    "hourly_ingestion",
    selection=dg.AssetSelection.assets(
        "open_meteo_raw", "weather_data", "weather_forecast", "open_meteo_ensemble", "flood_risk"
    ),
    description=(
        "Current month's weather (incremental), the latest forecast and ensemble, then flood risk."
    ),
    # One process for the five small steps: the multiprocess executor starts a process per
    # step, each importing the code location again, which was most of a tick (issue 21 item 6).
    executor_def=dg.in_process_executor,
)


def ingest_cron() -> str:
    return os.environ.get("FLOODINGNAQUE_INGEST_CRON") or DEFAULT_INGEST_CRON


@dg.schedule(
    job=hourly_ingestion_job,
    cron_schedule=ingest_cron(),
    execution_timezone=MANILA_TZ_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour (FLOODINGNAQUE_INGEST_CRON, Manila time): the month in progress.",
)
def hourly_ingestion_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    tick = context.scheduled_execution_time
    # The month the tick falls in (Manila time). At 00:05 on the 1st that is the new month;
    # its run also rewrites the hours just before the month (the old month's last hour).
    partition_key = weather_monthly.get_partition_key_for_timestamp(tick.timestamp())
    return dg.RunRequest(
        run_key=f"{partition_key}@{tick.isoformat()}",
        partition_key=partition_key,
        tags={"floodingnaque/tick": tick.isoformat()},
    )
