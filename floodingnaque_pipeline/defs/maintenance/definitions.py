"""Database maintenance as one `dg.Definitions`; merged into the code location's `defs`.

Needs the "database" resource from the top-level definitions (not included here).
"""

import dagster as dg

from floodingnaque_pipeline.defs.maintenance.checks import slow_queries
from floodingnaque_pipeline.defs.maintenance.jobs import (
    archive_raw_pulls,
    database_backup,
    table_partitions,
)
from floodingnaque_pipeline.defs.maintenance.rebuild import rebuild_weather_data
from floodingnaque_pipeline.defs.maintenance.schedules import (
    archive_raw_pulls_schedule,
    database_backup_schedule,
    table_partitions_schedule,
)

defs = dg.Definitions(
    asset_checks=[slow_queries],
    jobs=[table_partitions, database_backup, archive_raw_pulls, rebuild_weather_data],
    schedules=[table_partitions_schedule, database_backup_schedule, archive_raw_pulls_schedule],
)
