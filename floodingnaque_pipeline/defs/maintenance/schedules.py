"""When maintenance runs (Manila time), away from the hourly ingestion at minute 5."""

import dagster as dg

from floodingnaque_pipeline.defs.maintenance.jobs import (
    archive_raw_pulls,
    database_backup,
    table_partitions,
)
from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME

# Daily although partitions are made a period or more ahead: a missed day costs nothing.
table_partitions_schedule = dg.ScheduleDefinition(
    job=table_partitions,
    cron_schedule="20 0 * * *",
    execution_timezone=MANILA_TZ_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
# 02:35, the quietest hour: the dump reads every table once.
database_backup_schedule = dg.ScheduleDefinition(
    job=database_backup,
    cron_schedule="35 2 * * *",
    execution_timezone=MANILA_TZ_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
# Weekly, after that day's backup: the archived months are also in the newest dump.
archive_raw_pulls_schedule = dg.ScheduleDefinition(
    job=archive_raw_pulls,
    cron_schedule="50 3 * * 0",
    execution_timezone=MANILA_TZ_NAME,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
