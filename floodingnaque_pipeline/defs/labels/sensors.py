"""landing_sensor: a new or changed, settled landing file -> one run for its partition."""

from collections import defaultdict
from typing import Any

import dagster as dg

from floodingnaque_pipeline.defs.labels.jobs import ingest_flood_record_file, ingest_pagasa_file
from floodingnaque_pipeline.defs.labels.partitions import flood_record_files, pagasa_files
from floodingnaque_pipeline.landing import LandingCursor, scan, unusable_landing_files
from floodingnaque_pipeline.resources.landing import LandingZoneResource

# Landing sub-folder -> (job of its asset, its partitions).
ROUTES: dict[str, tuple[Any, dg.DynamicPartitionsDefinition]] = {
    "pagasa": (ingest_pagasa_file, pagasa_files),
    "flood_records": (ingest_flood_record_file, flood_record_files),
}


@dg.sensor(
    name="landing_sensor",
    jobs=[ingest_pagasa_file, ingest_flood_record_file],
    # A file must look the same on two ticks before it is hashed, so 30 s is also the
    # settling time an upload gets; daily CSVs do not need faster.
    minimum_interval_seconds=30,
    # Running by default: dropping a file into the folder is the whole user interface.
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches FLOODINGNAQUE_LANDING_DIR (pagasa/*.csv, flood_records/*.csv). A file whose "
        "size and mtime held still for one tick is hashed; new content starts one run of "
        "station_observations or flood_events for that file's partition (run key = "
        "path@sha256, so the same bytes are never ingested twice). Never parses files."
    ),
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZoneResource
) -> dg.SensorResult:
    ready, cursor = scan(landing.root, LandingCursor.parse(context.cursor))
    run_requests: list[dg.RunRequest] = []
    new_keys: dict[str, list[str]] = defaultdict(list)
    for file in ready:
        folder = file.path.split("/", 1)[0]
        job, _ = ROUTES[folder]
        new_keys[folder].append(file.path)
        run_requests.append(
            dg.RunRequest(
                run_key=f"{file.path}@{file.sha256}",
                job_name=job.name,
                partition_key=file.path,
                tags={"floodingnaque/file_sha256": file.sha256},
            )
        )
    # Adding a partition that already exists is a no-op, so re-dropped files are fine.
    partition_requests = [
        ROUTES[folder][1].build_add_request(keys) for folder, keys in sorted(new_keys.items())
    ]
    if unusable := unusable_landing_files(landing.root):
        context.log.warning("not ingested, rename: " + ", ".join(unusable))
    if ready:
        context.log.info("ready: " + ", ".join(f.path for f in ready))
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=partition_requests,
        cursor=cursor.dumps(),
    )
