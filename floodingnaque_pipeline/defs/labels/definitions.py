"""The labels domain as one `dg.Definitions`; merged into the code location's `defs`.

Needs the "database" resource from the top-level definitions (not included here).
"""

import dagster as dg

from floodingnaque_pipeline.defs.labels.assets import flood_events, station_observations
from floodingnaque_pipeline.defs.labels.jobs import ingest_flood_record_file, ingest_pagasa_file
from floodingnaque_pipeline.defs.labels.sensors import landing_sensor
from floodingnaque_pipeline.resources.landing import landing_from_env

defs = dg.Definitions(
    assets=[station_observations, flood_events],
    # The rejection-ratio checks are check specs of the two assets (evaluated in their step).
    jobs=[ingest_pagasa_file, ingest_flood_record_file],
    sensors=[landing_sensor],
    resources={"landing": landing_from_env()},
)
