"""landing_sensor: a settled landing file whose content was not ingested yet -> one run."""

import os
import time
from collections import defaultdict
from typing import Any

import dagster as dg

from floodingnaque_pipeline.defs.labels.jobs import ingest_flood_record_file, ingest_pagasa_file
from floodingnaque_pipeline.defs.labels.partitions import flood_record_files, pagasa_files
from floodingnaque_pipeline.landing import ensure_landing_folders, unusable_landing_files
from floodingnaque_pipeline.landing_state import (
    REFUSED_TAG,
    SHA256_TAG,
    LandingCursor,
    RunOutcome,
    scan,
    waiting_empty,
)
from floodingnaque_pipeline.resources.landing import LandingZoneResource

# Landing sub-folder -> (job of its asset, its partitions).
ROUTES: dict[str, tuple[Any, dg.DynamicPartitionsDefinition]] = {
    "pagasa": (ingest_pagasa_file, pagasa_files),
    "flood_records": (ingest_flood_record_file, flood_record_files),
}
_RUN_KEY_TAG = "dagster/run_key"
# A file must look the same on two ticks before it is hashed, so the interval is also the
# settling time an upload gets (and the first retry's wait); daily CSVs do not need faster.
INTERVAL_S = int(os.environ.get("FLOODINGNAQUE_LANDING_INTERVAL_S") or 30)


def run_outcome(instance: dg.DagsterInstance, run_key: str) -> RunOutcome:
    """How the newest run with this key ended. An automatic retry of a failed run carries its
    parent's tags, so a failure with a retry on its way is still in flight."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={_RUN_KEY_TAG: run_key}), limit=1)
    if not runs:
        return RunOutcome.UNKNOWN
    run = runs[0]
    if run.status == dg.DagsterRunStatus.SUCCESS:
        return RunOutcome.SUCCESS
    if run.tags.get(REFUSED_TAG) == "true":  # the file was refused whole: do not retry it
        return RunOutcome.REFUSED
    if not run.is_finished or run.is_complete_and_waiting_to_retry:
        return RunOutcome.IN_FLIGHT
    return RunOutcome.FAILURE


@dg.sensor(
    name="landing_sensor",
    jobs=[ingest_pagasa_file, ingest_flood_record_file],
    minimum_interval_seconds=INTERVAL_S,
    # Running by default: dropping a file into the folder is the whole user interface.
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches FLOODINGNAQUE_LANDING_DIR (pagasa/*.csv, flood_records/*.csv; regular files "
        "only, never symlinks). A file whose size and mtime held still for one tick is hashed; "
        "content that differs from the last successfully ingested content of that path starts "
        "one run of station_observations or flood_events for the file's partition. A failed "
        "run is retried on later ticks with a growing backoff; a file reverted to earlier bytes "
        "is ingested again. Never parses files."
    ),
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingZoneResource
) -> dg.SensorResult:
    if created := ensure_landing_folders(landing.root):
        context.log.info("created the landing folders: " + ", ".join(created))
    now = time.time()
    ready, cursor = scan(
        landing.root,
        LandingCursor.parse(context.cursor),
        lambda key: run_outcome(context.instance, key),
        now,
        first_retry_s=INTERVAL_S,
    )
    run_requests: list[dg.RunRequest] = []
    new_keys: dict[str, list[str]] = defaultdict(list)
    for file in ready:
        folder = file.path.split("/", 1)[0]
        job, _ = ROUTES[folder]
        new_keys[folder].append(file.path)
        run_requests.append(
            dg.RunRequest(
                run_key=file.run_key,
                job_name=job.name,
                partition_key=file.path,
                # The run ingests only these bytes: it re-hashes what it reads and fails on a
                # mismatch, so a file rewritten while the run was queued is never half-seen.
                tags={SHA256_TAG: file.sha256},
            )
        )
    # Adding a partition that already exists is a no-op, so re-dropped files are fine.
    partition_requests = [
        ROUTES[folder][1].build_add_request(keys) for folder, keys in sorted(new_keys.items())
    ]
    if unusable := unusable_landing_files(landing.root):
        context.log.warning("not ingested: " + "; ".join(unusable))
    for waiting in waiting_empty(cursor, now):
        context.log.info(f"waiting: {waiting}")
    for file in ready:
        attempt = f" (attempt {file.attempt})" if file.attempt > 1 else ""
        context.log.info(f"ready: {file.path}{attempt}")
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=partition_requests,
        cursor=cursor.dumps(),
    )
