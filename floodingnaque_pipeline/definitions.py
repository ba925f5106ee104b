"""The code location's one entry point: `defs`, merged from each domain's definitions."""

import dagster as dg

from floodingnaque_pipeline.defs.labels.definitions import defs as labels_defs
from floodingnaque_pipeline.defs.locations import locations
from floodingnaque_pipeline.defs.ml.definitions import defs as ml_defs
from floodingnaque_pipeline.defs.weather.definitions import defs as weather_defs
from floodingnaque_pipeline.resources.database import database_from_env

core_defs = dg.Definitions(
    assets=[locations],
    resources={"database": database_from_env()},
)

defs = dg.Definitions.merge(core_defs, weather_defs, labels_defs, ml_defs)
