"""The code location's one entry point: `defs`, merged from each domain's definitions.

Domains are imported as modules, not as Definitions objects: Dagster's loader refuses a
module that holds more than one Definitions at top level.
"""

import dagster as dg

from floodingnaque_pipeline.defs.labels import definitions as labels
from floodingnaque_pipeline.defs.locations import locations
from floodingnaque_pipeline.defs.maintenance import definitions as maintenance
from floodingnaque_pipeline.defs.ml import definitions as ml
from floodingnaque_pipeline.defs.weather import definitions as weather
from floodingnaque_pipeline.resources.database import database_from_env

defs = dg.Definitions.merge(
    dg.Definitions(assets=[locations], resources={"database": database_from_env()}),
    weather.defs,
    labels.defs,
    ml.defs,
    maintenance.defs,
)
