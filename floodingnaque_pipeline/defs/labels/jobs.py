"""One job per landing folder: the two assets have different dynamic partitions, so the
landing sensor cannot target them through a single (anonymous) asset job. Each job's
partitioning is inferred from its one asset."""

import dagster as dg

from floodingnaque_pipeline.defs.labels.assets import flood_events, station_observations

ingest_pagasa_file = dg.define_asset_job(
    "ingest_pagasa_file",
    selection=[station_observations],
    description="Ingest one PAGASA landing file (partition = pagasa/<name>.csv).",
)
ingest_flood_record_file = dg.define_asset_job(
    "ingest_flood_record_file",
    selection=[flood_events],
    description="Ingest one CDRRMO landing file (partition = flood_records/<name>.csv).",
)
