"""`rebuild_weather_data`: re-normalize a range of months from stored raw pulls, one step per
month (fan-out), so the work spreads over every worker of the executor in use.

In-process by default. With the optional `celery` extra, `rebuild_weather_data_celery` is the
same graph on Dagster's Celery executor (a broker such as RabbitMQ, workers started with
`celery -A dagster_celery.app worker`); see the README section "Backup, restore and archive".
"""

from datetime import UTC, datetime, timedelta

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.partitions import RAW_WEATHER_PULLS
from floodingnaque_pipeline.db.weather import observed_rows, upsert_weather
from floodingnaque_pipeline.resources.database import DatabaseResource

MONTHS = RAW_WEATHER_PULLS  # calendar months in UTC: the same cut as the raw pull partitions


class RebuildConfig(dg.Config):
    first_month: str = Field(description="First month to rebuild, YYYY-MM (UTC).")
    last_month: str = Field(description="Last month to rebuild, YYYY-MM (UTC), included.")


@dg.op(out=dg.DynamicOut(str), description="One output per month of the range.")
def months_to_rebuild(config: RebuildConfig):
    first = datetime.strptime(config.first_month, "%Y-%m").replace(tzinfo=UTC)
    last = datetime.strptime(config.last_month, "%Y-%m").replace(tzinfo=UTC)
    for start in MONTHS.starts(first, last):
        yield dg.DynamicOutput(start.isoformat(), mapping_key=f"m{start:%Y_%m}")


@dg.op(description="weather_data of one month, rebuilt from the stored raw pulls.")
def rebuild_month(context: dg.OpExecutionContext, database: DatabaseResource, month: str):
    start = datetime.fromisoformat(month)
    end = MONTHS.next_start(start)
    with database.session() as session:
        counts = upsert_weather(session, observed_rows(session, start, end, overlap=timedelta(0)))
    context.log.info(f"{start:%Y-%m}: {counts.inserted} new, {counts.updated} changed")
    return {"inserted": counts.inserted, "updated": counts.updated, "unchanged": counts.unchanged}


@dg.op(description="Totals over the months.")
def rebuild_totals(counts: list[dict]) -> dict:
    return {name: sum(c[name] for c in counts) for name in ("inserted", "updated", "unchanged")}


@dg.graph
def rebuild_weather_data_graph():
    rebuild_totals(months_to_rebuild().map(rebuild_month).collect())


rebuild_weather_data = rebuild_weather_data_graph.to_job(
    name="rebuild_weather_data",
    description="Re-normalize weather_data for a range of months from raw pulls, month by month.",
)


def rebuild_weather_data_celery() -> dg.JobDefinition:
    """The same graph on the Celery executor (needs the `celery` extra, so built on demand)."""
    from dagster_celery import celery_executor

    return rebuild_weather_data_graph.to_job(
        name="rebuild_weather_data_celery",
        executor_def=celery_executor,
        resource_defs={"database": DatabaseResource.configure_at_launch()},
    )
